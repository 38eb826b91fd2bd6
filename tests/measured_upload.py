"""Run in a subprocess by ``tests/test_hostile_files.py`` to measure a web worker's peak memory: one portal upload
over HTTP (Django's test client), as an employer's user, against the database in ``DATABASE_URL``.

``python -m tests.measured_upload setup NPP`` creates the reference data, the employer and its user;
``python -m tests.measured_upload upload NPP FILE`` uploads the file and prints the batch as JSON. With
``TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend`` a file above ``IMPORT_INLINE_MAX_KB`` is checked
in the same process too, as the background worker would.
"""

import json
import os
import sys

import django

USERNAME = "pemberi_kerja_ukur"


def main(command: str, npp: str, path: str = "") -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "berjasa.settings")
    django.setup()
    from django.contrib.auth.models import Group, User

    from berjasa.roles import Role
    from enrollment.models import Employer, ImportBatch
    from programs.reference import load_reference_data
    from tests import factories

    if command == "setup":
        load_reference_data()
        employer = factories.make_employer(npp=npp)
        user = User.objects.create_user(username=USERNAME, password="rahasia-yang-panjang-1")
        user.groups.add(Group.objects.get(name=Role.EMPLOYER.value))
        factories.link_employer_user(user, employer)
        return
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()
    client = Client()
    client.force_login(User.objects.get(username=USERNAME))
    with open(path, "rb") as upload:
        response = client.post(
            reverse("portal:imports"), {"file": upload, "reason": "CONTRACT_ENDED"}
        )
    batch = ImportBatch.objects.filter(employer=Employer.objects.get(npp=npp)).latest("pk")
    print(
        json.dumps(
            {
                "http": response.status_code,
                "status": batch.status,
                "refused": batch.summary.get("refused", ""),
                "message": batch.message,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
