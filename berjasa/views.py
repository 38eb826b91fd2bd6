from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from berjasa.roles import STAFF_ROLES, Role, user_has_role


@login_required
def home(request):
    """Each role lands on its own home page."""
    user = request.user
    if any(user_has_role(user, role) for role in STAFF_ROLES):
        return redirect("admin:index")
    if user_has_role(user, Role.MANAGER):
        return redirect("reports:dashboard")
    if user_has_role(user, Role.EMPLOYER):
        return redirect("portal:home")
    return redirect("no_role")
