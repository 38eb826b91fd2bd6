"""Creating login accounts with a role; the one place that turns a role into groups and flags."""

from collections.abc import Iterable

from django.contrib.auth.models import Group, User
from django.db import transaction

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
        EmployerUser.objects.get_or_create(user=user, employer=employer)
    return user
