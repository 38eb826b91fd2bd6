"""The activation link: ``/accounts/invitation/<token>/``, open without a login and before a second factor.

GET changes nothing. A new person sets name, username and password; a person whose address is already a
login's signs in as that login first and links it. An unknown, tampered, expired, used or revoked link gets a
page that says what to do, and a tampered or unknown one tells nothing about any employer.
"""

from django.contrib.auth import login
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import user_has_device

from enrollment.portal.context import SESSION_KEY
from invitations import services
from invitations.forms import AcceptForm
from invitations.models import Invitation
from invitations.tokens import invitation_for_token

# The login's backend (django-axes' backend only guards the password form).
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _refused(request, invitation: Invitation | None):
    status = invitation.status if invitation is not None else "UNKNOWN"
    return render(
        request,
        "invitations/refused.html",
        {"status": status, "invitation": invitation if status != "UNKNOWN" else None},
        status=404 if invitation is None else 410,
    )


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def accept(request, token: str):
    invitation = invitation_for_token(token)
    if invitation is None or invitation.status != Invitation.Status.PENDING:
        return _refused(request, invitation)
    context = {"invitation": invitation, "employer": invitation.employer}
    holders = User.objects.filter(email__iexact=invitation.email, is_active=True)
    user = request.user
    if holders.exists():
        # The address is a login's already: that login, signed in, is linked.
        if not user.is_authenticated or user.email.lower() != invitation.email.lower():
            context["holder_username"] = holders.order_by("pk").first().get_username()
            context["login_url"] = (
                f"{reverse('login')}?next={reverse('invitation_accept', args=[token])}"
            )
            return render(request, "invitations/sign_in_first.html", context)
        if user_has_device(user) and not user.is_verified():
            return redirect_to_login(request.get_full_path(), reverse("second_factor:verify"))
        if request.method == "POST":
            try:
                services.accept_invitation(invitation, existing_user=user)
            except services.InvitationRefused:
                return _refused(request, invitation_for_token(token))
            except (ValidationError, PermissionDenied) as error:
                context["error"] = " ".join(getattr(error, "messages", [])) or str(error)
                return render(request, "invitations/link_existing.html", context)
            request.session[SESSION_KEY] = invitation.employer_id
            return redirect("portal:home")
        return render(request, "invitations/link_existing.html", context)
    if user.is_authenticated:
        # Another login is signed in here: the new login is made after it logs out.
        return render(request, "invitations/sign_out_first.html", context)
    if request.method == "POST":
        form = AcceptForm(request.POST)
        if form.is_valid():
            try:
                new_user = services.accept_invitation(
                    invitation,
                    full_name=form.cleaned_data["full_name"],
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                )
            except services.InvitationRefused:
                return _refused(request, invitation_for_token(token))
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        field = {"password": "password1"}.get(field, field)
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                login(request, new_user, backend=BACKEND)
                request.session[SESSION_KEY] = invitation.employer_id
                return redirect("portal:home")
    else:
        form = AcceptForm(initial={"username": invitation.email})
    context["form"] = form
    context["becomes_main_contact"] = (
        invitation.kind == Invitation.Kind.FIRST_USER
        and not invitation.employer.user_links.filter(is_main_contact=True).exists()
    )
    return render(request, "invitations/accept.html", context)
