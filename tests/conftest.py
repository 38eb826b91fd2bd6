"""Shared fixtures: reference data and the personas every test speaks of.

Personas: ``administrator``, ``operator``, ``manager``, and the users of two employers, ``employer_a_user`` and
``employer_b_user`` (each sees only its own employer's records).
"""

import pytest
from django.contrib.auth.models import Group, User

from berjasa.roles import STAFF_ROLES, Role
from programs.reference import load_reference_data
from tests import factories


@pytest.fixture
def reference_data(db):
    load_reference_data()


def _user_with_role(username: str, role: Role) -> User:
    user = User.objects.create_user(
        username=username, password="rahasia-yang-panjang-1", is_staff=role in STAFF_ROLES
    )
    user.groups.add(Group.objects.get(name=role.value))
    return user


@pytest.fixture
def administrator(db):
    return _user_with_role("admin_ani", Role.ADMINISTRATOR)


@pytest.fixture
def operator(db):
    return _user_with_role("operator_budi", Role.OPERATOR)


@pytest.fixture
def manager(db):
    return _user_with_role("manager_citra", Role.MANAGER)


@pytest.fixture
def employer_a(reference_data):
    return factories.make_employer(npp="10000001", name="PT Angin Mamiri")


@pytest.fixture
def employer_b(reference_data):
    return factories.make_employer(npp="20000002", name="CV Losari Jaya")


@pytest.fixture
def employer_a_user(employer_a):
    user = _user_with_role("employer_dewi", Role.EMPLOYER)
    factories.link_employer_user(user, employer_a)
    return user


@pytest.fixture
def employer_b_user(employer_b):
    user = _user_with_role("employer_eko", Role.EMPLOYER)
    factories.link_employer_user(user, employer_b)
    return user
