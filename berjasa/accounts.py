"""Login accounts: creating them with a role (the one place that turns a role into groups and flags), lifting
their login locks, and their second factor."""

import math
import time
from collections.abc import Iterable

from axes.models import AccessAttempt
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from berjasa.roles import STAFF_ROLES, Role
from enrollment.models import Employer, EmployerUser


@transaction.atomic
def ensure_user_with_role(
    username: str,
    role: Role,
    *,
    password: str,
    email: str = "",
    employers: Iterable[Employer] = (),
) -> User:
    """Create the user or bring it back to the given role, password and employers."""
    user, _ = User.objects.get_or_create(username=username)
    user.email = email
    user.is_staff = role in STAFF_ROLES
    user.is_superuser = False
    user.is_active = True
    user.set_password(password)
    user.save()
    user.groups.set([Group.objects.get(name=role.value)])
    for employer in employers:
        has_contact = EmployerUser.objects.filter(employer=employer, is_main_contact=True).exists()
        EmployerUser.objects.get_or_create(
            user=user, employer=employer, defaults={"is_main_contact": not has_contact}
        )
    return user


# --- Login limits ---------------------------------------------------------------------------------------


@transaction.atomic
def lift_login_locks(*, usernames: Iterable[str], acting_user: User) -> None:
    """Forget every failed login at these accounts, from any address (a password reset, an administrator).

    Their failures also stop counting towards their addresses' limit. Each account is recorded in the admin log.
    """
    usernames = sorted(set(usernames))
    AccessAttempt.objects.filter(username__in=usernames).delete()
    content_type = ContentType.objects.get_for_model(AccessAttempt)
    LogEntry.objects.bulk_create(
        LogEntry(
            user=acting_user,
            content_type=content_type,
            object_repr=username,
            action_flag=DELETION,
            change_message=gettext("Login lock lifted."),
        )
        for username in usernames
    )


# --- Second factor --------------------------------------------------------------------------------------

TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"
RECOVERY_CODE_COUNT = 10
WRONG_CODE = _(
    "That code is not right. Enter the 6-digit code your authenticator app shows now, or one of your "
    "recovery codes."
)


def normalize_code(code: str) -> str:
    """A code as typed (spaces, dashes, capitals) as it is stored: ``123 456`` → ``123456``."""
    return "".join(character for character in code if character.isalnum()).lower()


@transaction.atomic
def enrol_second_factor(user: User, *, key: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator app set up with ``key`` (hex) by one of its codes.

    Returns the confirmed device and a new set of recovery codes; a wrong code raises ``ValidationError``, and so
    does an account that has a factor already (only an administrator's reset makes room for a new one).
    """
    if TOTPDevice.objects.devices_for_user(user).exists():
        raise ValidationError(gettext("This account has a second factor already."), code="enrolled")
    totp = TOTP(bytes.fromhex(key))
    totp.time = time.time()
    code = normalize_code(code)
    if not (code.isdigit() and totp.verify(int(code), tolerance=1)):
        raise ValidationError(WRONG_CODE, code="wrong_code")
    return replace_second_factor(user, key=key, last_step=totp.t(), acting_user=user)


@transaction.atomic
def replace_second_factor(
    user: User,
    *,
    key: str,
    last_step: int = -1,
    recovery_codes: Iterable[str] | None = None,
    acting_user: User,
) -> tuple[TOTPDevice, list[str]]:
    """Give ``user`` a confirmed authenticator with ``key`` (hex) and recovery codes, in place of any before.

    ``last_step`` is the time step of a code already used (it is not accepted again); ``recovery_codes`` are
    random unless given (the demo accounts' fixed ones).
    """
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=True, last_t=last_step
    )
    codes = regenerate_recovery_codes(user, acting_user=acting_user, codes=recovery_codes)
    log_account_change(
        acting_user=acting_user, user=user, message=gettext("Second factor enrolled.")
    )
    return device, codes


@transaction.atomic
def regenerate_recovery_codes(
    user: User, *, acting_user: User, codes: Iterable[str] | None = None
) -> list[str]:
    """Replace ``user``'s recovery codes with ``codes`` (random ones by default) and return them."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = (
        [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        if codes is None
        else [normalize_code(code) for code in codes]
    )
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    log_account_change(
        acting_user=acting_user, user=user, message=gettext("New recovery codes made.")
    )
    return codes


def verify_second_factor(user: User, code: str) -> Device:
    """The device that accepts ``code``: the authenticator (6 digits) or a recovery code (used up).

    A wrong code raises ``ValidationError``, and counts towards django-otp's throttling of the device: after
    n wrong codes in a row, the next is only checked 2ⁿ⁻¹ seconds later.
    """
    code = normalize_code(code)
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    refusal = ValidationError(WRONG_CODE, code="wrong_code")
    with transaction.atomic():
        device = model.objects.devices_for_user(user).select_for_update().first()
        if device is not None:
            allowed, details = device.verify_is_allowed()
            if not allowed:
                seconds = math.ceil((details["locked_until"] - timezone.now()).total_seconds())
                refusal = ValidationError(
                    ngettext(
                        "Too many wrong codes. Try again in %(seconds)d second.",
                        "Too many wrong codes. Try again in %(seconds)d seconds.",
                        seconds,
                    )
                    % {"seconds": seconds},
                    code="throttled",
                )
            elif device.verify_token(code):
                return device
    # Raised outside the transaction, so that the failure django-otp counted is kept.
    raise refusal


@transaction.atomic
def reset_second_factor(user: User, *, acting_user: User) -> None:
    """Remove ``user``'s authenticator and recovery codes (a lost phone); the next login enrols again."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    log_account_change(acting_user=acting_user, user=user, message=gettext("Second factor reset."))


def log_account_change(*, acting_user: User, user: User, message: str, action=CHANGE) -> None:
    """A change to ``user``'s login in the admin log (its history page), in the acting user's name."""
    LogEntry.objects.create(
        user=acting_user,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr=str(user),
        action_flag=action,
        change_message=message,
    )
