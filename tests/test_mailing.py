"""The outbox's delivery (decision 71), through a real SMTP server in the process (``smtp_server``).

Every test asserts on what arrived at the server (envelope, subject, body, Message-ID), and on the outbox's rows:
sent once; the server down → waiting to retry with the back-off, nothing lost, sent exactly once when it is back;
550 → bounced; 451 → retried; the last attempt → failed; a withdrawn kind → nothing sent; a once-only key → one
mail; a rolled-back transaction → nothing queued, no delivery asked; two deliverers at once (PostgreSQL) → no
mail twice; staff's "Send again"; the ``deliver_mail`` command.
"""

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from mailing import delivery, kinds
from mailing.delivery import deliver_due, retry_delay
from mailing.models import OutgoingMail
from mailing.rendering import render
from mailing.services import Draft, queue_mails, retry_mails
from tests import factories

Status = OutgoingMail.Status

NOTE = "test_note"
WITHDRAWN = "test_withdrawn"
SECRET = "test_secret"


@pytest.fixture
def test_kinds(tmp_path, settings):
    """Throwaway kinds whose templates live in a temporary folder."""
    templates = {
        NOTE: "Subject: Catatan {{ number }}\n\nHalo {{ name }}, ini catatan nomor {{ number }}.\n"
        "{{ site_url }}/portal/\n",
        WITHDRAWN: "Subject: Tidak terkirim\n\nIsi.\n",
        SECRET: "Subject: Aktivasi akun {{ name }}\n\nBuka {{ link }} untuk mengaktifkan akun.\n",
    }
    for language in ("id", "en"):
        folder = tmp_path / "mail" / language
        folder.mkdir(parents=True)
        for kind, text in templates.items():
            (folder / f"{kind}.txt").write_text(
                text if language == "id" else text.replace("Catatan", "Note")
            )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]

    def withdrawn_when_revoked(mail):
        if mail.context.get("revoked"):
            raise kinds.Withdrawn
        return {}

    def secret_link(mail, preview=False):
        return {"link": kinds.SECRET if preview else "https://berjasa.test/aktivasi/T0KEN-RAHASIA/"}

    kinds.register(NOTE, "Test note")
    kinds.register(WITHDRAWN, "Test withdrawn", withdrawn_when_revoked)
    kinds.register(SECRET, "Test secret", secret_link, secret=("link",))
    yield
    for code in (NOTE, WITHDRAWN, SECRET):
        kinds.unregister(code)


def note(to: str, number: int = 1, **extra) -> OutgoingMail:
    return factories.queue_mail(NOTE, to=to, context={"name": "Dewi", "number": number}, **extra)


def as_if_time_passed(*mails: OutgoingMail) -> None:
    """The back-off is over: the mails' next attempt is now."""
    OutgoingMail.objects.filter(pk__in=[m.pk for m in mails]).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def fresh(mail: OutgoingMail) -> OutgoingMail:
    mail.refresh_from_db()
    return mail


pytestmark = pytest.mark.usefixtures("test_kinds")


# --- sent ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_sends_a_queued_mail_once_with_its_message_id(smtp_server, settings):
    mail = note("hrd@angin-mamiri.test", number=7)

    result = deliver_due()

    assert result.counts == {Status.SENT: 1}
    [arrived] = smtp_server.arrived
    assert arrived.rcpt_tos == ("hrd@angin-mamiri.test",)
    assert arrived.mail_from == settings.DEFAULT_FROM_EMAIL
    assert arrived.message_id == mail.message_id == f"<outbox-{mail.pk}@berjasa.makassarkota.go.id>"
    assert arrived.subject == "Catatan 7"
    assert "Halo Dewi, ini catatan nomor 7." in arrived.body
    assert "http://127.0.0.1:8000/portal/" in arrived.body
    mail = fresh(mail)
    assert (mail.status, mail.attempts, mail.subject) == (Status.SENT, 1, "Catatan 7")
    assert mail.sent_at is not None and mail.next_attempt_at is None

    assert deliver_due().counts == {}  # nothing due any more: not sent twice
    assert len(smtp_server.arrived) == 1


@pytest.mark.django_db
def test_it_sends_in_the_mails_language(smtp_server):
    queue_mails([Draft(NOTE, "en@x.test", {"name": "Dewi", "number": 2}, language="en")])
    deliver_due()
    assert smtp_server.arrived[0].subject == "Note 2"


@pytest.mark.django_db
def test_it_sends_the_oldest_first_and_no_more_than_the_batch(smtp_server):
    mails = [note(f"pemberi{i}@x.test", number=i) for i in range(5)]

    result = deliver_due(limit=3)

    assert result.counts == {Status.SENT: 3} and result.full
    assert [a.message_id for a in smtp_server.arrived] == [m.message_id for m in mails[:3]]
    assert [fresh(m).status for m in mails] == [Status.SENT] * 3 + [Status.QUEUED] * 2


# --- the server down, and back ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_server_down_makes_one_mail_wait_with_the_back_off_and_loses_nothing(
    smtp_server, settings
):
    settings.MAIL_RETRY_BASE_SECONDS = 60
    first, second, third = (note(f"p{i}@x.test", number=i) for i in range(3))
    smtp_server.stop()

    before = timezone.now()
    result = deliver_due()

    assert result.server_down
    assert result.counts == {Status.RETRYING: 1}  # the first failed connection ends the batch
    first = fresh(first)
    assert (first.status, first.attempts) == (Status.RETRYING, 1)
    assert "ConnectionRefusedError" in first.last_error
    wait = first.next_attempt_at - before
    assert timedelta(seconds=59) < wait < timedelta(seconds=62)
    # the others were not tried: their attempts are not burnt
    assert [(fresh(m).status, m.attempts) for m in (second, third)] == [(Status.QUEUED, 0)] * 2
    # the job will look again after the back-off, not at once
    assert delivery.next_run(result) >= before + timedelta(seconds=60)

    smtp_server.start()
    result = deliver_due()  # the first waits for its time; the two others go now
    assert result.counts == {Status.SENT: 2}
    as_if_time_passed(first)
    assert deliver_due().counts == {Status.SENT: 1}

    ids = smtp_server.message_ids()
    assert sorted(ids) == sorted(m.message_id for m in (first, second, third))  # each exactly once
    assert {fresh(m).status for m in (first, second, third)} == {Status.SENT}


@pytest.mark.django_db
def test_the_connection_lost_during_a_batch_stops_it_and_what_arrived_is_not_sent_again(
    smtp_server,
):
    mails = [note(f"p{i}@x.test", number=i) for i in range(6)]
    smtp_server.stop_after(2, seconds=0.5)  # down once the second mail has arrived

    result = deliver_due()

    assert result.server_down
    sent = [m for m in mails if fresh(m).status == Status.SENT]
    assert len(sent) >= 2
    assert sorted(smtp_server.message_ids()) == sorted(m.message_id for m in sent)
    assert sum(fresh(m).status == Status.RETRYING for m in mails) == 1
    assert smtp_server.outage_over.wait(5)
    as_if_time_passed(*mails)
    deliver_due()
    ids = smtp_server.message_ids()
    assert len(ids) == len(set(ids)) == 6
    assert {fresh(m).status for m in mails} == {Status.SENT}


@pytest.mark.django_db
def test_a_server_closing_the_connection_after_some_messages_gets_a_new_one(smtp_server):
    smtp_server.messages_per_connection = 2
    mails = [note(f"p{i}@x.test", number=i) for i in range(5)]

    result = deliver_due()

    assert result.counts == {Status.SENT: 5} and not result.server_down
    assert sorted(smtp_server.message_ids()) == sorted(m.message_id for m in mails)


@pytest.mark.django_db
def test_the_back_off_doubles_up_to_its_cap(settings):
    settings.MAIL_RETRY_BASE_SECONDS = 60
    settings.MAIL_RETRY_MAX_SECONDS = 3600
    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]


@pytest.mark.django_db
def test_a_mail_fails_for_good_after_the_last_attempt(smtp_server, settings):
    settings.MAIL_MAX_ATTEMPTS = 3
    mail = note("p@x.test")
    smtp_server.stop()

    waits = []
    for _attempt in range(3):
        started = timezone.now()
        deliver_due()
        mail = fresh(mail)
        if mail.next_attempt_at:
            waits.append(round((mail.next_attempt_at - started).total_seconds()))
            as_if_time_passed(mail)

    mail = fresh(mail)
    assert (mail.status, mail.attempts) == (Status.FAILED, 3)
    assert mail.next_attempt_at is None and "ConnectionRefusedError" in mail.last_error
    assert waits == [60, 120]
    smtp_server.start()
    assert deliver_due().counts == {}  # a failed mail is not tried again by itself
    assert smtp_server.arrived == []


# --- the server's answers ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refused_recipient_bounces_with_the_servers_reason_and_the_batch_goes_on(smtp_server):
    smtp_server.refuse("tidak.ada@x.test")
    refused = note("tidak.ada@x.test")
    fine = note("ada@x.test")

    result = deliver_due()

    assert result.counts == {Status.BOUNCED: 1, Status.SENT: 1}
    refused = fresh(refused)
    assert refused.status == Status.BOUNCED and refused.next_attempt_at is None
    assert refused.last_error.startswith("550 ") and "User unknown" in refused.last_error
    assert [a.to for a in smtp_server.arrived] == ["ada@x.test"]
    assert fresh(fine).status == Status.SENT
    assert deliver_due().counts == {}  # a bounced mail is not tried again by itself


@pytest.mark.django_db
def test_an_address_that_cannot_be_sent_to_fails_at_once_and_the_batch_goes_on(smtp_server):
    broken = note("a@x.test\nBcc: b@y.test")  # written past the form's checks
    fine = note("ada@x.test")

    result = deliver_due()

    assert result.counts == {Status.FAILED: 1, Status.SENT: 1} and not result.server_down
    assert "ValueError" in fresh(broken).last_error
    assert [a.to for a in smtp_server.arrived] == ["ada@x.test"]
    assert fresh(fine).status == Status.SENT


@pytest.mark.django_db
def test_a_temporary_refusal_is_retried_later_and_then_sent(smtp_server):
    smtp_server.answer_451(times=1)
    mail = note("p@x.test")

    result = deliver_due()

    assert result.counts == {Status.RETRYING: 1} and not result.server_down
    mail = fresh(mail)
    assert mail.status == Status.RETRYING and mail.last_error.startswith("451 ")
    assert smtp_server.arrived == []
    as_if_time_passed(mail)
    assert deliver_due().counts == {Status.SENT: 1}
    assert smtp_server.message_ids() == [mail.message_id]


@pytest.mark.django_db
def test_a_withdrawn_kind_is_not_sent(smtp_server):
    withdrawn = factories.queue_mail(WITHDRAWN, to="p@x.test", context={"revoked": True})
    kept = factories.queue_mail(WITHDRAWN, to="q@x.test", context={"revoked": False})

    result = deliver_due()

    assert result.counts == {Status.WITHDRAWN: 1, Status.SENT: 1}
    assert fresh(withdrawn).status == Status.WITHDRAWN
    assert [a.to for a in smtp_server.arrived] == ["q@x.test"]
    assert fresh(kept).status == Status.SENT


# --- queueing -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_once_only_key_queues_one_mail(smtp_server):
    first = note("p@x.test", dedupe_key="pengingat:2025-08:1")
    second = note("p@x.test", dedupe_key="pengingat:2025-08:1")
    both = queue_mails(
        [
            Draft(NOTE, "q@x.test", {"number": 1}, dedupe_key="k2"),
            Draft(NOTE, "q@x.test", {"number": 1}, dedupe_key="k2"),
        ]
    )

    assert first is not None and second is None and len(both) == 1
    deliver_due()
    assert sorted(a.to for a in smtp_server.arrived) == ["p@x.test", "q@x.test"]


@pytest.mark.django_db
def test_a_committed_call_asks_for_delivery_once_and_the_worker_sends_everything(
    smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue_mails([Draft(NOTE, f"p{i}@x.test", {"number": i}) for i in range(5)])

    assert len(callbacks) == 1  # one request for five mails
    # the tests' task backend runs the job at once: everything arrived
    assert len(smtp_server.arrived) == 5
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {Status.SENT}


@pytest.mark.django_db
def test_a_rolled_back_transaction_queues_nothing_and_asks_for_no_delivery(
    smtp_server, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        note("p@x.test")
        raise RuntimeError("the change failed")

    assert callbacks == []
    assert not OutgoingMail.objects.exists()
    assert smtp_server.arrived == []


@pytest.mark.django_db
def test_the_job_is_not_enqueued_twice_while_one_waits_to_start(
    settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    with django_capture_on_commit_callbacks(execute=True):
        note("p@x.test")
    with django_capture_on_commit_callbacks(execute=True):
        note("q@x.test")
    jobs = DBTaskResult.objects.filter(task_path="mailing.delivery.deliver_mail")
    assert jobs.count() == 1

    # a job due later does not stand for one due now
    jobs.update(run_after=timezone.now() + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        note("r@x.test")
    assert jobs.count() == 2


@pytest.mark.django_db
def test_the_job_enqueues_itself_for_the_next_due_mail(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    mail = note("p@x.test")
    later = timezone.now() + timedelta(minutes=5)
    OutgoingMail.objects.filter(pk=mail.pk).update(status=Status.RETRYING, next_attempt_at=later)

    delivery.deliver_mail.call()

    [job] = DBTaskResult.objects.filter(task_path="mailing.delivery.deliver_mail")
    assert job.run_after == later


# --- two deliverers ------------------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_deliverers_at_once_never_send_a_mail_twice(smtp_server, monkeypatch):
    monkeypatch.setattr(
        delivery, "request_delivery", lambda: None
    )  # the threads deliver, not the job
    queue_mails([Draft(NOTE, f"p{i}@x.test", {"number": i}) for i in range(120)])
    start = threading.Barrier(3)
    results = []

    def deliverer():
        from django.db import connections

        try:
            start.wait()
            while True:
                result = deliver_due(limit=7)
                results.append(result)
                if not result.full:
                    break
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliverer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ids = smtp_server.message_ids()
    assert len(ids) == 120 and len(set(ids)) == 120
    assert sum(r.counts.get(Status.SENT, 0) for r in results) == 120
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {Status.SENT}
    assert len([r for r in results if r.taken]) > 3  # the three took turns


# --- staff ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_send_again_queues_a_bounced_mail_now_and_notes_it_in_the_admin_log(
    smtp_server, administrator, django_capture_on_commit_callbacks
):
    from django.contrib.admin.models import LogEntry

    smtp_server.refuse("p@x.test")
    mail = note("p@x.test")
    sent = note("q@x.test")
    deliver_due()
    assert fresh(mail).status == Status.BOUNCED

    smtp_server._refused.clear()  # the mailbox exists now
    with django_capture_on_commit_callbacks(execute=True):
        assert retry_mails([mail.pk, sent.pk], acting_user=administrator) == 1

    mail = fresh(mail)
    assert mail.status == Status.SENT and mail.attempts == 1
    assert smtp_server.arrived_for("p@x.test")[0].message_id == mail.message_id
    [entry] = LogEntry.objects.filter(object_id=str(mail.pk))
    assert entry.user == administrator and "550" in entry.change_message


# --- the command ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_delivers_what_is_due_and_prints_the_counts(smtp_server, settings):
    settings.MAIL_BATCH_SIZE = 2
    smtp_server.refuse("tidak.ada@x.test")
    for i in range(4):
        note(f"p{i}@x.test", number=i)
    note("tidak.ada@x.test")
    out = StringIO()

    call_command("deliver_mail", "--limit", "3", stdout=out)
    assert len(smtp_server.arrived) == 3
    assert "3" in out.getvalue()

    out = StringIO()
    call_command("deliver_mail", stdout=out)
    assert len(smtp_server.arrived) == 4
    assert "1" in out.getvalue() and str(Status.BOUNCED.label) in out.getvalue()


# --- the admin -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_lists_the_outbox_with_its_states(client, operator, smtp_server, employer_a):
    smtp_server.refuse("tidak.ada@x.test")
    note("tidak.ada@x.test", employer_id=employer_a.pk)
    note("ada@x.test")
    deliver_due()
    client.force_login(operator)

    page = client.get("/admin/mailing/outgoingmail/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "tidak.ada@x.test" in text and "ada@x.test" in text
    assert "PT Angin Mamiri" in text and "Test note" in text
    assert "550 5.1.1" in text and "WITA" in text
    found = client.get("/admin/mailing/outgoingmail/", {"q": employer_a.npp})
    assert "tidak.ada@x.test" in found.content.decode()
    assert "ada@x.test</" not in found.content.decode().replace("tidak.ada@x.test</", "")
    bounced = client.get("/admin/mailing/outgoingmail/", {"status__exact": "BOUNCED"})
    assert "tidak.ada@x.test" in bounced.content.decode()


@pytest.mark.django_db
def test_the_admin_shows_the_mail_as_sent_with_its_secret_masked(client, administrator):
    mail = factories.queue_mail(SECRET, to="calon@x.test", context={"name": "PT Losari"})
    client.force_login(administrator)

    page = client.get(f"/admin/mailing/outgoingmail/{mail.pk}/change/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "Aktivasi akun PT Losari" in text
    assert "Buka ••• untuk mengaktifkan akun." in text
    assert "T0KEN-RAHASIA" not in text
    assert mail.message_id.replace("<", "&lt;").replace(">", "&gt;") in text
    assert 'name="_save"' not in text  # read-only


@pytest.mark.django_db
def test_the_secret_is_masked_even_when_the_kind_forgets_to(smtp_server):
    # a kind whose extra_context takes no ``preview``: the preview masks what it names secret
    kinds.register(
        SECRET, "Careless", lambda mail: {"link": "https://x.test/T0KEN"}, secret=("link",)
    )
    mail = factories.queue_mail(SECRET, to="calon@x.test", context={"name": "PT Losari"})

    assert "Buka ••• untuk" in render(mail, preview=True).body
    deliver_due()
    assert "Buka https://x.test/T0KEN untuk" in smtp_server.arrived[0].body  # sent as it is


@pytest.mark.django_db
def test_an_operator_sends_a_bounced_mail_again_from_the_list(
    client, operator, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.refuse("p@x.test")
    mail = note("p@x.test")
    deliver_due()
    smtp_server._refused.clear()
    client.force_login(operator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/mailing/outgoingmail/",
            {"action": "send_again", "_selected_action": [mail.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert fresh(mail).status == Status.SENT
    assert len(smtp_server.arrived_for("p@x.test")) == 1


@pytest.mark.django_db
def test_nobody_adds_changes_or_deletes_a_mail_in_the_admin(client, administrator):
    mail = note("p@x.test")
    client.force_login(administrator)
    assert client.get("/admin/mailing/outgoingmail/add/").status_code == 403
    assert client.get(f"/admin/mailing/outgoingmail/{mail.pk}/delete/").status_code == 403
    client.post(f"/admin/mailing/outgoingmail/{mail.pk}/change/", {"recipient": "x@y.test"})
    assert fresh(mail).recipient == "p@x.test"
