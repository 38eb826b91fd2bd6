from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from berjasa.accounts import lift_login_locks
from berjasa.roles import STAFF_ROLES, Role, user_has_any_role, user_has_role


@login_required
def home(request):
    """Each role lands on its own home page."""
    user = request.user
    if user_has_any_role(user, STAFF_ROLES):
        return redirect("admin:index")
    if user_has_role(user, Role.MANAGER):
        return redirect("reports:dashboard")
    if user_has_role(user, Role.FINANCE):
        return redirect("budget:overview")
    if user_has_role(user, Role.EMPLOYER):
        return redirect("portal:home")
    return redirect("no_role")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on every site; it is a static file like the others."""
    return redirect(static("berjasa/favicon.ico"))


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's; a new password set through the e-mailed link also lifts the account's login lock."""

    def form_valid(self, form):
        response = super().form_valid(form)
        lift_login_locks(usernames=[self.user.get_username()], acting_user=self.user)
        return response
