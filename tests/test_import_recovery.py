"""Imports that recover, in one process: expired leases, bounded retries, the page's re-check and cancel, the
request's time budget, and a process that lost its lease writing nothing.

The real processes (killed workers, a held lock) are ``tests/test_import_faults.py``.
"""

import gc
import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from enrollment.imports import batches, tasks
from enrollment.imports.roster import RosterImport
from enrollment.models import ImportBatch, Worker
from tests.test_imports import csv_file, row

pytestmark = pytest.mark.django_db

Status = ImportBatch.Status
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def queue(settings):
    """Background jobs kept, not run: the batch's ``task_id`` says one was queued."""
    settings.TASKS = DUMMY_TASKS


def stalled(
    employer, *, status=Status.VALIDATING, attempts=1, expired=True, **fields
) -> ImportBatch:
    """A batch whose process took a lease and then died (expired) or still works (not expired)."""
    moment = timezone.now() + timedelta(seconds=-1 if expired else 30)
    return ImportBatch.objects.create(
        source=ImportBatch.Source.ROSTER,
        employer=employer,
        status=status,
        lease_token="a-dead-worker",
        lease_expires_at=moment,
        attempts=attempts,
        **fields,
    )


def uploaded(employer, user, rows) -> ImportBatch:
    return batches.stage_upload(
        ContentFile(csv_file(rows).read(), name="roster.csv"),
        source=ImportBatch.Source.ROSTER,
        acting_user=user,
        employer=employer,
    )


# --- expired leases -------------------------------------------------------------------------------------------


def test_an_expired_check_is_queued_again_until_its_last_attempt_then_interrupted(
    employer_a, settings, queue, django_capture_on_commit_callbacks
):
    settings.IMPORT_MAX_ATTEMPTS = 2
    batch = stalled(employer_a, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.recover_stalled() == 1
    batch.refresh_from_db()
    assert (batch.status, batch.lease_token, batch.lease_expires_at) == (Status.PENDING, "", None)
    assert batch.task_id  # the check queued again
    assert [(r["step"], r["attempt"], r["reason"]) for r in batch.interruptions] == [
        ("check", 1, "worker_stopped")
    ]

    ImportBatch.objects.filter(pk=batch.pk).update(
        status=Status.VALIDATING,
        attempts=2,
        lease_token="the-retry",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
        task_id="",
    )
    call_command("recover_imports", stdout=io.StringIO())
    batch.refresh_from_db()
    assert (batch.status, batch.task_id, len(batch.interruptions)) == (Status.INTERRUPTED, "", 2)


def test_an_expired_import_is_queued_again_as_running_without_a_lease(
    employer_a, queue, django_capture_on_commit_callbacks
):
    batch = stalled(employer_a, status=Status.RUNNING, attempts=1)  # IMPORT_MAX_ATTEMPTS: 3
    with django_capture_on_commit_callbacks(execute=True):
        tasks.recover_stalled()
    batch.refresh_from_db()
    assert (batch.status, batch.lease_expires_at, bool(batch.task_id)) == (
        Status.RUNNING,
        None,
        True,
    )
    assert batch.interruptions[0]["step"] == "import"


def test_a_live_lease_and_a_finished_batch_are_left_alone(employer_a):
    working = stalled(employer_a, expired=False)
    finished = stalled(employer_a, status=Status.IMPORTED)
    assert tasks.recover_stalled() == 0
    for batch in (working, finished):
        before = batch.status
        batch.refresh_from_db()
        assert (batch.status, batch.interruptions) == (before, [])


def test_of_two_processes_marking_the_same_expired_lease_one_wins(employer_a, settings):
    settings.IMPORT_MAX_ATTEMPTS = 1
    batch = stalled(employer_a)
    assert batches.interrupt(batch.pk, batches.WORKER_STOPPED) == Status.INTERRUPTED
    assert batches.interrupt(batch.pk, batches.WORKER_STOPPED) is None
    batch.refresh_from_db()
    assert len(batch.interruptions) == 1


def test_a_process_that_lost_its_lease_writes_nothing(employer_a, employer_a_user, monkeypatch):
    """Declared interrupted while it still wrote (a paused process, a partitioned network): its commit is
    refused and its transaction rolled back. (Here the other process's change is made on the same connection,
    so the rollback takes it too.)"""
    batch = uploaded(employer_a, employer_a_user, [row(), row()])
    batches.check_batch(batch.pk)
    batch.refresh_from_db()
    assert batches.confirm_batch(batch)
    write = RosterImport.write

    def write_then_lose_the_lease(self, work, writer):
        write(self, work, writer)
        ImportBatch.objects.filter(pk=batch.pk).update(lease_token="the-next-attempt")

    monkeypatch.setattr(RosterImport, "write", write_then_lose_the_lease)
    batches.run_batch(batch.pk)
    batch.refresh_from_db()
    assert batch.status == Status.RUNNING  # not IMPORTED: left to the next attempt
    assert not Worker.objects.exists()


def test_a_step_pauses_the_cycle_collector_and_resumes_it_even_when_it_fails(
    employer_a, employer_a_user, monkeypatch
):
    """A step's hundreds of thousands of rows are not walked by the collector (decision 68), and a failed step
    does not leave the process without it."""
    batch = uploaded(employer_a, employer_a_user, [row()])
    seen = []

    def failing_plan(*args, **kwargs):
        seen.append(gc.isenabled())
        raise RuntimeError("a fault in the middle of the check")

    monkeypatch.setattr(batches, "_plan", failing_plan)
    assert gc.isenabled()
    batches.check_batch(batch.pk)
    batch.refresh_from_db()
    assert batch.status == Status.FAILED
    assert seen == [False]
    assert gc.isenabled()


# --- the batch's page ---------------------------------------------------------------------------------------


def test_the_page_of_a_dead_check_says_it_was_interrupted_and_offers_a_recheck(
    client, employer_a, employer_a_user, settings
):
    """The page's own look marks the expired lease (the last attempt: interrupted), in Indonesian words."""
    settings.IMPORT_MAX_ATTEMPTS = 1
    batch = uploaded(employer_a, employer_a_user, [row(), row()])
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=Status.VALIDATING,
        attempts=1,
        lease_token="a-dead-worker",
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )
    client.force_login(employer_a_user)
    page = client.get(reverse("portal:import_batch", kwargs={"pk": batch.pk}))
    text = page.content.decode()
    assert "Unggahan ini terhenti saat memeriksa: proses yang mengerjakannya berhenti" in text
    assert "Tidak ada yang ditulis." in text
    assert reverse("portal:import_recheck", kwargs={"pk": batch.pk}) in text
    assert not page.context["in_progress"]  # the page stops refreshing itself

    client.post(reverse("portal:import_recheck", kwargs={"pk": batch.pk}))
    batch.refresh_from_db()
    assert (batch.status, batch.count_new, batch.attempts) == (Status.VALIDATED, 2, 1)
    client.post(reverse("portal:import_confirm", kwargs={"pk": batch.pk}))
    batch.refresh_from_db()
    assert (batch.status, Worker.objects.count()) == (Status.IMPORTED, 2)


def test_an_interrupted_upload_can_be_cancelled_from_the_portal(
    client, employer_a, employer_a_user
):
    batch = stalled(employer_a, status=Status.INTERRUPTED)
    client.force_login(employer_a_user)
    client.post(reverse("portal:import_cancel", kwargs={"pk": batch.pk}))
    batch.refresh_from_db()
    assert batch.status == Status.CANCELLED
    response = client.post(reverse("portal:import_recheck", kwargs={"pk": batch.pk}), follow=True)
    assert "tidak terhenti" in response.content.decode()


def test_another_employers_interrupted_upload_is_not_theirs_to_recheck(
    client, employer_b, employer_a_user
):
    batch = stalled(employer_b, status=Status.INTERRUPTED)
    client.force_login(employer_a_user)
    response = client.post(reverse("portal:import_recheck", kwargs={"pk": batch.pk}))
    assert response.status_code == 404


def test_the_admin_shows_the_attempts_and_rechecks_or_cancels(
    client, administrator, employer_a, employer_a_user, settings
):
    settings.IMPORT_MAX_ATTEMPTS = 2
    batch = uploaded(employer_a, employer_a_user, [row()])
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=Status.INTERRUPTED,
        attempts=2,
        interruptions=[
            {
                "step": "import",
                "attempt": 1,
                "at": "2026-12-07T05:00:00+00:00",
                "reason": "worker_stopped",
            },
            {
                "step": "import",
                "attempt": 2,
                "at": "2026-12-07T05:01:00+00:00",
                "reason": "lock_wait",
            },
        ],
    )
    client.force_login(administrator)
    review = reverse("admin:enrollment_importbatch_review", kwargs={"pk": batch.pk})
    text = client.get(review).content.decode()
    assert "Terhenti 2 kali" in text
    assert "terlalu lama menunggu data yang sedang diubah orang lain" in text
    assert "13.01" in text  # 05:01 UTC is 13.01 in Makassar (UTC+8), the clock written with a dot
    client.post(reverse("admin:enrollment_importbatch_recheck", kwargs={"pk": batch.pk}))
    batch.refresh_from_db()
    assert (batch.status, batch.count_new) == (Status.VALIDATED, 1)
    client.post(reverse("admin:enrollment_importbatch_cancel", kwargs={"pk": batch.pk}))
    batch.refresh_from_db()
    assert batch.status == Status.CANCELLED


# --- the request's time budget --------------------------------------------------------------------------------


def test_a_check_past_the_requests_budget_goes_to_the_worker(
    client, employer_a_user, settings, queue, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_SECONDS = 0  # every check outlasts it
    client.force_login(employer_a_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("portal:imports"), {"file": csv_file([row()]), "reason": "CONTRACT_ENDED"}
        )
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.attempts, batch.lease_token, bool(batch.task_id)) == (
        Status.PENDING,
        0,
        "",
        True,
    )


def test_an_import_past_the_requests_budget_goes_to_the_worker_with_nothing_written(
    client, employer_a, employer_a_user, settings, queue, django_capture_on_commit_callbacks
):
    batch = uploaded(employer_a, employer_a_user, [row(), row()])
    batches.check_batch(batch.pk)
    settings.IMPORT_INLINE_SECONDS = 0
    client.force_login(employer_a_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:import_confirm", kwargs={"pk": batch.pk}))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.lease_expires_at, batch.attempts) == (Status.RUNNING, None, 0)
    assert batch.task_id and not Worker.objects.exists()
