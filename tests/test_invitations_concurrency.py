"""Two submits of one activation link at the same moment (a double click, two tabs): one login, on PostgreSQL,
where the two requests really run side by side (the invitation's row lock makes the second wait and refuse)."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from enrollment.models import Employer
from invitations.models import Invitation
from invitations.services import invite_employers
from invitations.tokens import make_token
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_two_submits_at_once_create_one_login(reference_data, operator):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: nothing to race")
    from django.contrib.auth.models import User

    employer = factories.make_employer(name="PT Balapan", email="hr@balapan.test")
    invite_employers(Employer.objects.filter(pk=employer.pk), acting_user=operator)
    url = reverse("invitation_accept", args=[make_token(Invitation.objects.get(employer=employer))])
    barrier = threading.Barrier(4)
    statuses = []

    def submit(username):
        try:
            barrier.wait()
            response = Client().post(
                url,
                {
                    "full_name": "Balap",
                    "username": username,
                    "password1": "Kata-sandi-yang-panjang-7",
                    "password2": "Kata-sandi-yang-panjang-7",
                },
            )
            statuses.append(response.status_code)
        except Exception as error:  # noqa: BLE001 - a request that failed counts as such
            statuses.append(repr(error)[:200])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(f"balap_{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # one made the login; the others found the link used (410), or, reading just after the first committed,
    # a login with the address already (200: "log in with it")
    assert statuses.count(302) == 1, statuses
    assert set(statuses) <= {302, 410, 200}, statuses
    assert User.objects.filter(email="hr@balapan.test").count() == 1
