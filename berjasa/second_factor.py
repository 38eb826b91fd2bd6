"""The second factor (django-otp): who needs one, and the middleware that holds a session until it is verified.

A login is two steps: the password (Django's ``LoginView``), then a code from an authenticator app (TOTP) or a
one-time recovery code. ``django_otp.middleware.OTPMiddleware`` tells whether the session is verified;
``SecondFactorMiddleware`` (after it) lets a signed-in, unverified session open only the pages listed in
``OPEN_BEFORE_VERIFICATION``: a user with a confirmed device is sent to the code page, a user whose role
requires a factor but who has none to enrolment. Everything else (the admin, the portal, the reports) waits.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_otp import user_has_device

from berjasa.roles import Role, user_has_any_role, user_has_role

# Roles that always need a second factor: staff, and managers (they read city-wide reports).
ROLES_REQUIRING_A_FACTOR = (Role.ADMINISTRATOR, Role.OPERATOR, Role.MANAGER, Role.FINANCE)

# URL names a signed-in session may open before its second factor is verified.
OPEN_BEFORE_VERIFICATION = frozenset(
    {
        "login",
        "logout",
        "admin:login",
        "admin:logout",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "set_language",
        "second_factor:verify",
        "second_factor:enrol",
        # an invitation's activation link: its view sends a login with a device to the code page itself
        "invitation_accept",
    }
)


def second_factor_required(user: AbstractBaseUser) -> bool:
    """Whether policy requires ``user`` to have a second factor (employers: ``OTP_REQUIRED_FOR_EMPLOYERS``)."""
    # user_has_role counts a superuser as an administrator.
    if user_has_any_role(user, ROLES_REQUIRING_A_FACTOR):
        return True
    return settings.OTP_REQUIRED_FOR_EMPLOYERS and user_has_role(user, Role.EMPLOYER)


class SecondFactorMiddleware:
    """Send a signed-in session that has not passed its second factor to the code page or to enrolment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.view_name in OPEN_BEFORE_VERIFICATION:
            return None
        if user_has_device(user):
            return redirect_to_login(request.get_full_path(), reverse("second_factor:verify"))
        if second_factor_required(user):
            return redirect_to_login(request.get_full_path(), reverse("second_factor:enrol"))
        return None
