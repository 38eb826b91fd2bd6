"""The notices by e-mail (issue 15), through the real SMTP server in the process (``smtp_server``).

- ``import_finished``: the uploader hears when a step the background worker ran ends (checked and ready to
  confirm, imported, failed, interrupted), once per batch and outcome, with the file, the counts, the state in
  words and the link to the batch's page (the portal's for an employer's user, the admin's for staff); a step
  run inside the request sends nothing.
- ``claim_status``: a claim's new status goes to its employer's active users with an e-mail, or to the
  employer's contact e-mail; a city-funded claim (no employer) tells nobody; queued in the change's transaction
  (a refused change sends nothing); the admin's claim import moves claims through the same service.
"""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from enrollment import services
from enrollment.imports import batches, tasks
from enrollment.models import Channel, Claim, ImportBatch
from mailing.delivery import deliver_due
from mailing.models import OutgoingMail
from mailing.notices import CLAIM_STATUS, IMPORT_FINISHED
from tests import factories
from tests.test_imports import csv_file, row

pytestmark = pytest.mark.django_db

Status = ImportBatch.Status
NIK_DIGITS = 16


def no_nik_in(text: str, *niks: str) -> bool:
    return not any(nik in text for nik in niks)


# --- import_finished -----------------------------------------------------------------------------------------


@pytest.fixture
def uploader(employer_a_user):
    employer_a_user.email = "dewi@angin-mamiri.test"
    employer_a_user.save()
    return employer_a_user


def upload(employer, user, rows, name="daftar pekerja & upah.csv") -> ImportBatch:
    return batches.stage_upload(
        ContentFile(csv_file(rows).read(), name=name),
        source=ImportBatch.Source.ROSTER,
        acting_user=user,
        employer=employer,
    )


def test_a_background_check_and_import_tell_the_uploader_with_the_counts_and_the_link(
    employer_a, uploader, smtp_server
):
    people = [row(), row(name="Andi Pratama"), row(nik="123")]
    batch = upload(employer_a, uploader, people)

    tasks.check_import.call(batch.pk)  # as the worker runs it: no time budget

    batch.refresh_from_db()
    assert batch.status == Status.VALIDATED
    deliver_due()
    [ready] = smtp_server.arrived
    assert ready.to == "dewi@angin-mamiri.test"
    assert ready.subject == "Impor siap dikonfirmasi: daftar pekerja & upah.csv"
    assert f"(impor #{batch.pk}) sudah diperiksa dan menunggu konfirmasi Anda" in ready.body
    assert "Baris diperiksa: 3" in ready.body and "Baris bermasalah: 1" in ready.body
    assert f"http://127.0.0.1:8000/portal/imports/{batch.pk}/" in ready.body
    assert no_nik_in(ready.body, *(person[0] for person in people))

    assert batches.confirm_batch(batch, only_valid_rows=True)
    tasks.run_import.call(batch.pk)
    deliver_due()
    done = smtp_server.arrived[1]
    assert done.subject == "Impor selesai: daftar pekerja & upah.csv"
    assert "sudah selesai diimpor" in done.body and "Baru: 2" in done.body
    mail = OutgoingMail.objects.get(kind=IMPORT_FINISHED, context__outcome=Status.IMPORTED)
    assert mail.employer_id == employer_a.pk
    assert mail.dedupe_key == f"import_finished:{batch.pk}:IMPORTED"


def test_a_step_run_inside_the_request_sends_nothing(employer_a, uploader):
    batch = upload(employer_a, uploader, [row()])
    batches.check_batch(batch.pk, budget=5)  # the request's inline check
    assert ImportBatch.objects.get(pk=batch.pk).status == Status.VALIDATED
    assert not OutgoingMail.objects.exists()


def test_a_failed_import_and_an_interrupted_one_are_told_once(
    employer_a, uploader, smtp_server, settings
):
    batch = upload(employer_a, uploader, [row(nik="123")])
    tasks.check_import.call(batch.pk)
    batch.refresh_from_db()
    ImportBatch.objects.filter(pk=batch.pk).update(status=Status.RUNNING)  # confirmed with all rows
    tasks.run_import.call(batch.pk)
    assert ImportBatch.objects.get(pk=batch.pk).status == Status.FAILED

    settings.IMPORT_MAX_ATTEMPTS = 1
    stuck = upload(employer_a, uploader, [row()])
    ImportBatch.objects.filter(pk=stuck.pk).update(
        status=Status.VALIDATING,
        attempts=1,
        lease_token="dead",
        lease_expires_at="2000-01-01T00:00Z",
    )
    assert tasks.recover_stalled() == 1
    assert tasks.recover_stalled() == 0  # told once

    OutgoingMail.objects.filter(context__outcome=Status.VALIDATED).delete()  # the first's "ready"
    deliver_due()
    subjects = sorted(a.subject for a in smtp_server.arrived)
    assert subjects == [
        "Impor gagal: daftar pekerja & upah.csv",
        "Impor terhenti: daftar pekerja & upah.csv",
    ]


def test_staff_get_the_admins_page_of_the_batch_in_their_language(employer_a, smtp_server):
    clerk = User.objects.create_user("operator_siti", email="siti@disnaker.test", is_staff=True)
    batch = upload(employer_a, clerk, [row()])
    ImportBatch.objects.filter(pk=batch.pk).update(options={**batch.options, "language": "en"})

    tasks.check_import.call(batch.pk)
    deliver_due()

    [arrived] = smtp_server.arrived
    assert arrived.subject == "Import ready to confirm: daftar pekerja & upah.csv"
    assert f"/admin/enrollment/importbatch/{batch.pk}/change/" in arrived.body


def test_a_ready_notice_is_withdrawn_when_the_batch_was_confirmed_before_it_left(
    employer_a, uploader, smtp_server
):
    batch = upload(employer_a, uploader, [row()])
    tasks.check_import.call(batch.pk)
    batch.refresh_from_db()
    batches.cancel_batch(batch)

    deliver_due()

    assert OutgoingMail.objects.get().status == OutgoingMail.Status.WITHDRAWN
    assert smtp_server.arrived == []


def test_an_uploader_without_an_e_mail_gets_none(employer_a, employer_a_user):
    batch = upload(employer_a, employer_a_user, [row()])
    tasks.check_import.call(batch.pk)
    assert not OutgoingMail.objects.exists()


# --- claim_status --------------------------------------------------------------------------------------------


@pytest.fixture
def claim(employer_a):
    worker = factories.make_worker()
    factories.make_employment(worker, employer_a)
    factories.make_membership(worker, "JKK", employer=employer_a)
    return factories.make_claim(worker, benefit_code="JKK", employer=employer_a)


def colleague(employer, username, email, *, active=True) -> User:
    user = User.objects.create_user(username, email=email, is_active=active)
    factories.link_employer_user(user, employer)
    return user


def test_a_claims_new_status_goes_to_the_employers_active_users(
    claim, employer_a, administrator, smtp_server, django_capture_on_commit_callbacks
):
    colleague(employer_a, "dewi", "dewi@angin-mamiri.test")
    colleague(employer_a, "eko", "eko@angin-mamiri.test")
    colleague(employer_a, "lama", "lama@angin-mamiri.test", active=False)
    colleague(employer_a, "tanpa", "")

    with django_capture_on_commit_callbacks(execute=True):  # the worker delivers after the commit
        services.advance_claim(
            claim, Claim.Status.VERIFIED, acting_user=administrator, channel=Channel.ADMIN
        )

    assert sorted(a.to for a in smtp_server.arrived) == [
        "dewi@angin-mamiri.test",
        "eko@angin-mamiri.test",
    ]
    mail = smtp_server.arrived[0]
    assert mail.subject == f"Status klaim {claim.reference}: diverifikasi"
    assert "Status: diajukan → diverifikasi" in mail.body
    assert claim.benefit_type.name in mail.body
    assert "http://127.0.0.1:8000/portal/" in mail.body
    assert claim.worker.nik not in mail.body and claim.worker.name not in mail.body
    assert set(OutgoingMail.objects.values_list("employer", flat=True)) == {employer_a.pk}


def test_without_users_the_employers_contact_address_hears_of_the_payment(
    claim, employer_a, administrator, smtp_server
):
    employer_a.email = "kantor@angin-mamiri.test"
    employer_a.save()
    services.advance_claim(claim, Claim.Status.VERIFIED, acting_user=administrator, channel="ADMIN")
    services.advance_claim(
        claim,
        Claim.Status.PAID,
        acting_user=administrator,
        channel=Channel.ADMIN,
        paid_date=date(2025, 2, 3),
    )
    deliver_due()

    assert [a.to for a in smtp_server.arrived] == ["kantor@angin-mamiri.test"] * 2
    paid = smtp_server.arrived[1]
    assert "Status: diverifikasi → dibayar" in paid.body
    assert "Tanggal dibayar: 03/02/2025" in paid.body


def test_a_city_funded_claim_tells_nobody(administrator, reference_data, smtp_server):
    worker = factories.make_worker()
    city_claim = factories.make_claim(worker, employer=None)
    assert city_claim.employer_id is None

    services.advance_claim(
        city_claim, Claim.Status.REJECTED, acting_user=administrator, channel=Channel.ADMIN
    )

    assert not OutgoingMail.objects.exists()
    deliver_due()
    assert smtp_server.arrived == []


def test_a_refused_change_queues_nothing(claim, employer_a, administrator):
    colleague(employer_a, "dewi", "dewi@angin-mamiri.test")
    with pytest.raises(ValidationError):
        services.advance_claim(
            claim, Claim.Status.PAID, acting_user=administrator, channel=Channel.ADMIN
        )  # no paid date, and not verified yet
    assert not OutgoingMail.objects.filter(kind=CLAIM_STATUS).exists()


# --- the demo ------------------------------------------------------------------------------------------------


def test_the_demos_outbox_holds_each_state_once(employer_a, administrator):
    from mailing.demo import ensure_mail_demo

    employer_a.email = "personalia@angin-mamiri.test"
    employer_a.save()
    worker = factories.make_worker()
    for status in ("PAID", "REJECTED", "VERIFIED"):
        extra = {"paid_date": date(2025, 2, 1)} if status == "PAID" else {}
        factories.make_claim(worker, employer=employer_a, status=status, **extra)

    ensure_mail_demo(administrator)
    ensure_mail_demo(administrator)  # a second run adds nothing

    states = sorted(OutgoingMail.objects.values_list("status", flat=True))
    assert states == ["BOUNCED", "QUEUED", "SENT"]
    sent = OutgoingMail.objects.get(status="SENT")
    assert sent.subject.startswith("Status klaim ") and sent.sent_at


def test_a_claim_change_rolled_back_with_its_caller_sends_nothing(
    claim, employer_a, administrator, smtp_server, django_capture_on_commit_callbacks
):
    from django.db import transaction

    colleague(employer_a, "dewi", "dewi@angin-mamiri.test")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.advance_claim(
            claim, Claim.Status.VERIFIED, acting_user=administrator, channel=Channel.ADMIN
        )
        raise RuntimeError("the rest of the change failed")

    assert callbacks == [] and not OutgoingMail.objects.exists()
    assert smtp_server.arrived == []


def test_the_admins_claim_import_tells_the_employer_and_its_dry_run_tells_nobody(
    claim, employer_a, administrator, smtp_server
):
    from enrollment.resources import ClaimResource
    from tests.test_resources import CLAIM_HEADERS, import_file

    colleague(employer_a, "dewi", "dewi@angin-mamiri.test")
    cells = [claim.reference, claim.worker.nik, "JKK", "FORMAL", employer_a.npp, "2025-01-10"]
    cells += ["2025-01-15", "", "12500000", "VERIFIED"]

    preview = import_file(ClaimResource, CLAIM_HEADERS, cells, user=administrator, dry_run=True)
    assert not preview.has_errors() and not preview.has_validation_errors()
    assert not OutgoingMail.objects.exists()  # the preview's transaction was rolled back

    import_file(ClaimResource, CLAIM_HEADERS, cells, user=administrator)
    deliver_due()
    assert [a.subject for a in smtp_server.arrived] == [
        f"Status klaim {claim.reference}: diverifikasi"
    ]


def test_the_admin_shows_a_sent_ready_notice_even_after_the_batch_moved_on(
    client, administrator, employer_a, uploader, smtp_server
):
    batch = upload(employer_a, uploader, [row()])
    tasks.check_import.call(batch.pk)
    deliver_due()
    batches.cancel_batch(ImportBatch.objects.get(pk=batch.pk))
    mail = OutgoingMail.objects.get()
    client.force_login(administrator)

    page = client.get(f"/admin/mailing/outgoingmail/{mail.pk}/change/").content.decode()

    assert "sudah diperiksa dan menunggu konfirmasi Anda" in page
    assert f"/portal/imports/{batch.pk}/" in page
