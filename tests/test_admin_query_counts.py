"""Every changelist page of the admin costs the same number of queries for few rows and for many.

The pages come from the admin site's registry (``bench/admin_pages.py``, which the benchmark times too): the
first page, the facet counts where allowed, two choices of each list filter, a search per search field and each
sort (pairs of filters add no query of their own). A column that reads a related row per line, or a filter that
queries per choice, makes the "many" count larger. A worker's page with its inlines: ``tests/test_admin.py``.
"""

from datetime import date

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.admin_pages import model_pages
from bpjs.models import Category, RegistrationFile, Statement, StatementLine
from compliance.models import RosterConfirmation
from enrollment.imports.tasks import run_import
from enrollment.models import (
    Channel,
    EmployerUser,
    IdentityProofAttempt,
    ImportBatch,
    Membership,
    PersonalDataChangeRequest,
)
from mailing.models import OutgoingMail
from privacy.models import AccessRecord
from programs.models import (
    BenefitType,
    ContributionRate,
    CoverageTarget,
    FundingScheme,
    Kecamatan,
    Kelurahan,
    Program,
    Segment,
)
from reports.models import ReportSnapshot, WorkforceEstimate
from tests import factories
from tests.test_admin import add_worker_with_records, logged_in, queries_for

pytestmark = pytest.mark.usefixtures("reference_data")

FEW, MANY = 2, 7
# The tests run tasks at once (berjasa.test_settings); the queue's admin lists the rows of the production backend.
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def add_people_and_their_records(index: int) -> None:
    """A worker with an employment, memberships and a claim, and the rows of people around them."""
    employer = factories.make_employer(name=f"PT Usaha {index}")
    worker = add_worker_with_records(employer, index)
    user = User.objects.create_user(f"pengguna_{index}")
    user.groups.add(Group.objects.create(name=f"kelompok {index}"))
    TOTPDevice.objects.create(user=user, name="telepon", confirmed=True)
    StaticDevice.objects.create(user=user, name="cadangan")
    EmployerUser.objects.create(user=user, employer=employer)
    batch = ImportBatch.objects.create(
        source=ImportBatch.Source.ROSTER,
        file_name=f"daftar_{index}.csv",
        employer=employer,
        created_by=user,
    )
    RegistrationFile.objects.create(
        reference=f"REG-2025-08-{index:04d}", import_batch=batch, created_by=user, person_count=1
    )
    rejected = worker.memberships.order_by("pk")[:1].get()  # on the work list "Rejected by BPJS"
    Membership.objects.filter(pk=rejected.pk).update(
        bpjs_status="REJECTED", bpjs_reason="NIK tidak ditemukan di Dukcapil"
    )
    statement = Statement.objects.create(  # BPJS's statement, with a line on the discrepancy list
        import_batch=ImportBatch.objects.create(
            source=ImportBatch.Source.BPJS_STATEMENT,
            file_name=f"rekap_{index}.csv",
            created_by=user,
        ),
        month=date(2025, 8, 1),
        counts={"scope": "city", Category.DIFFERENT: 1},
    )
    StatementLine.objects.create(
        statement=statement,
        row=2,
        category=Category.DIFFERENT,
        nik=worker.nik,
        name=worker.name,
        worker=worker,
        employer=employer,
        owner=user,
    )
    PersonalDataChangeRequest.objects.create(
        worker=worker, employer=employer, changes={"name": [worker.name, f"{worker.name} Baru"]}
    )
    IdentityProofAttempt.objects.create(
        employer=employer,
        nik=worker.nik,
        worker=worker,
        channel=Channel.PORTAL,
        outcome=IdentityProofAttempt.Outcome.REFUSED,
        offered_name=worker.name,
        start_date=date(2025, 7, 1),
        monthly_wage=3_900_000,
    )
    AccessRecord.objects.create(
        user=user,
        username=user.username,
        channel=Channel.PORTAL,
        kind=AccessRecord.Kind.PERSON,
        worker=worker,
        employer=employer,
        rows=1,
    )
    ReportSnapshot.objects.create(report="coverage", period=f"20{10 + index}-08", created_by=user)
    WorkforceEstimate.objects.create(
        year=3000 + index, kind=WorkforceEstimate.Kind.EMPLOYED, workers=1_000 * index
    )
    login = {"username": user.username, "ip_address": f"10.0.0.{index}", "path_info": "/masuk/"}
    AccessAttempt.objects.create(**login, failures_since_start=1, user_agent="Firefox")
    AccessLog.objects.create(**login, user_agent="Firefox")
    AccessFailureLog.objects.create(**login, user_agent="Firefox")
    run_import.enqueue(batch.pk)  # a row of the background queue
    from invitations.models import Invitation

    Invitation.objects.create(  # an invitation with its mail (the list shows the mail's state)
        employer=employer,
        email=f"hr{index}@usaha.test",
        kind=Invitation.Kind.FIRST_USER,
        invited_by=user,
        mail=factories.queue_mail(
            "invitation", to=f"hr{index}@usaha.test", employer_id=employer.pk
        ),
    )
    OutgoingMail.objects.create(  # a mail of the outbox, one bounced
        kind="claim_status",
        recipient=f"hrd{index}@x.test",
        employer=employer,
        created_by=user,
        status=OutgoingMail.Status.BOUNCED if index % 2 else OutgoingMail.Status.SENT,
        last_error="550 5.1.1 User unknown" if index % 2 else "",
    )
    RosterConfirmation.objects.create(  # a month the employer confirmed, reopened by Disnaker
        employer=employer,
        month=date(2025, 8, 1),
        confirmed_by=user,
        confirmed_at=timezone.now(),
        channel=Channel.PORTAL,
        reopened_at=timezone.now(),
        reopened_by=user,
        reopen_reason="Pekerja keluar belum dicatat",
    )


def add_catalogue_entries(index: int) -> None:
    """A program with its rate, a benefit, a funding scheme with its segment, a kecamatan, a target."""
    program = Program.objects.create(code=f"P{index}", name=f"Program {index}")
    ContributionRate.objects.create(
        program=program,
        segment_kind="BPU",
        valid_from=date(2000 + index, 1, 1),
        fixed_amount=16_800,
    )
    BenefitType.objects.create(code=f"B{index}", name=f"Manfaat {index}")
    scheme = FundingScheme.objects.create(code=f"F{index}", name=f"Skema {index}")
    Segment.objects.create(
        code=f"S{index}",
        name=f"Segmen {index}",
        kind="BPU",
        group="INFORMAL",
        default_funding_scheme=scheme,
    )
    kecamatan = Kecamatan.objects.create(code=f"99.{index}", name=f"Kecamatan {index}")
    Kelurahan.objects.create(code=f"99.{index}.1", name=f"Kelurahan {index}", kecamatan=kecamatan)
    CoverageTarget.objects.create(year=3000 + index, target_percent=50)


def add_rows(indexes: range) -> None:
    for index in indexes:
        add_people_and_their_records(index)
        add_catalogue_entries(index)


REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_it_lists_every_filter_search_and_sort_with_the_same_queries_for_few_and_many_rows(
    administrator, model, settings
):
    settings.TASKS = DATABASE_QUEUE
    client = logged_in(administrator)
    add_rows(range(1, FEW + 1))
    pages = model_pages(admin.site._registry[model], administrator, max_choices=2, pairs=False)
    client.get(pages[0].url)  # warm up: session, content types
    few = {page.name: queries_for(client, page.url) for page in pages}
    add_rows(range(FEW + 1, MANY + 1))
    many = {page.name: queries_for(client, page.url) for page in pages}

    assert model._default_manager.count() >= MANY
    assert many == few
