"""Personal-data protection: every read of a person's data on record, NIKs masked in lists, files with personal
data deleted after their retention period."""

import getpass
import io
import json
import os
from datetime import date, timedelta
from unittest import mock

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from berjasa.audit import Channel
from berjasa.formatting import mask_nik
from enrollment.models import (
    Claim,
    Employment,
    ImportBatch,
    Membership,
    PersonalDataChangeRequest,
    Worker,
)
from privacy.admin import scope_text
from privacy.log import record_access
from privacy.models import AccessRecord
from reports.exporters import DOWNLOAD_FORMATS
from tests import factories
from tests.test_imports import csv_file, row

pytestmark = pytest.mark.usefixtures("reference_data")
Kind = AccessRecord.Kind
NIK = "7371051203900001"
MASKED = "737105••••••0001"


@pytest.fixture
def person(employer_a):
    """A person on employer A's roster, with a membership and a claim."""
    worker = factories.make_worker(nik=NIK, name="Andi Pratama")
    factories.make_employment(worker, employer_a)
    factories.make_membership(worker, "JKK", employer=employer_a)
    factories.make_claim(worker, employer=employer_a)
    return worker


def only_new_record(before: int) -> AccessRecord:
    assert AccessRecord.objects.count() == before + 1
    return AccessRecord.objects.order_by("-pk").first()


def test_mask_nik_keeps_the_district_and_the_last_four_digits():
    assert mask_nik(NIK) == MASKED
    assert mask_nik("1234") == "••••"


# --- the access log: each read path writes exactly one record ---------------------------------------------


def test_the_portal_worker_page_is_recorded_once(client, employer_a_user, employer_a, person):
    client.force_login(employer_a_user)
    before = AccessRecord.objects.count()
    assert client.get(reverse("portal:worker", kwargs={"pk": person.pk})).status_code == 200
    record = only_new_record(before)
    assert (
        record.user,
        record.username,
        record.channel,
        record.kind,
        record.worker,
        record.employer,
        record.rows,
    ) == (employer_a_user, "employer_dewi", Channel.PORTAL, Kind.PERSON, person, employer_a, 1)
    assert timezone.now() - record.at < timedelta(minutes=1)


def test_the_portal_edit_page_shows_the_persons_data_and_is_recorded(
    client, employer_a_user, employer_a, person
):
    client.force_login(employer_a_user)
    before = AccessRecord.objects.count()
    assert client.get(reverse("portal:worker_edit", kwargs={"pk": person.pk})).status_code == 200
    record = only_new_record(before)
    assert (record.kind, record.worker, record.employer) == (Kind.PERSON, person, employer_a)


def test_a_logged_request_costs_one_insert_more(
    client, employer_a_user, administrator, person, employer_a
):
    """The same requests with the recording switched off: exactly one query fewer, and that one an INSERT."""

    def queries(user, url, method="get", **data) -> list[str]:
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            response = getattr(client, method)(url, data)
            if response.streaming:
                b"".join(response.streaming_content)
        # Less the savepoints: inside the test's transaction the record's own (durable) transaction is one;
        # in a real request it is a plain transaction around the INSERT.
        return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]

    export = reverse("admin:enrollment_worker_export")
    client.force_login(administrator)
    fields = {"format": "0", "resource": "0", **_export_fields(client, export)}
    cases = [
        (employer_a_user, reverse("portal:worker", kwargs={"pk": person.pk}), "get", {}),
        (
            employer_a_user,
            reverse("portal:roster_download", kwargs={"file_format": "csv"}),
            "get",
            {},
        ),
        (administrator, reverse("admin:enrollment_worker_change", args=[person.pk]), "get", {}),
        (administrator, export, "post", fields),
    ]
    for user, url, method, data in cases:
        queries(user, url, method, **data)  # warm: sessions, permissions, content types
        logged = queries(user, url, method, **data)
        with (
            mock.patch("privacy.log.record_access"),
            mock.patch("privacy.admin.record_access"),
        ):
            unlogged = queries(user, url, method, **data)
        added = [sql for sql in logged if "privacy_accessrecord" in sql]
        assert len(logged) == len(unlogged) + 1, url
        assert len(added) == 1 and added[0].lstrip().upper().startswith("INSERT"), url


def test_a_refused_worker_page_records_nothing(client, employer_b_user, person):
    client.force_login(employer_b_user)
    before = AccessRecord.objects.count()
    assert client.get(reverse("portal:worker", kwargs={"pk": person.pk})).status_code == 404
    assert AccessRecord.objects.count() == before


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_portal_roster_download_is_recorded_with_its_rows(
    client, employer_a_user, employer_a, person, file_format
):
    factories.make_employment(factories.make_worker(name="Citra"), employer_a)
    factories.make_employment(
        factories.make_worker(),
        employer_a,
        end_date=date(2024, 6, 30),
        termination_reason="RESIGNED",
    )
    client.force_login(employer_a_user)
    before = AccessRecord.objects.count()
    url = reverse("portal:roster_download", kwargs={"file_format": file_format})
    response = client.get(url)
    assert response.status_code == 200
    record = only_new_record(before)  # on record before a byte is read
    b"".join(response.streaming_content)
    assert (record.channel, record.kind, record.employer, record.worker, record.rows) == (
        Channel.PORTAL,
        Kind.DOWNLOAD,
        employer_a,
        None,
        2,  # the two open employments; the ended one is not in the file
    )
    assert record.scope == {"file": "roster", "format": file_format}


def test_the_portal_preview_and_error_report_are_recorded(client, employer_a_user, employer_a):
    client.force_login(employer_a_user)
    client.post(
        reverse("portal:imports"),
        {"file": csv_file([row(), row(), row("99")]), "reason": "CONTRACT_ENDED"},
    )
    batch = ImportBatch.objects.get()
    before = AccessRecord.objects.count()
    page = client.get(reverse("portal:import_batch", kwargs={"pk": batch.pk}), {"show": "new"})
    assert page.status_code == 200
    record = only_new_record(before)
    assert (record.kind, record.employer, record.rows, record.scope) == (
        Kind.PREVIEW,
        employer_a,
        2,
        {"import_batch": batch.pk, "show": "new", "page": 1},
    )
    before = AccessRecord.objects.count()
    errors = client.get(reverse("portal:import_errors", kwargs={"pk": batch.pk}))
    assert errors.status_code == 200
    record = only_new_record(before)
    assert (record.kind, record.channel, record.employer, record.rows) == (
        Kind.ERROR_FILE,
        Channel.PORTAL,
        employer_a,
        3,  # the report holds every row of the file
    )


@pytest.mark.parametrize("model", [Worker, Employment, Membership, Claim])
def test_each_admin_change_page_naming_the_person_is_recorded(client, administrator, person, model):
    obj = person if model is Worker else model.objects.get(worker=person)
    client.force_login(administrator)
    before = AccessRecord.objects.count()
    url = reverse(f"admin:enrollment_{model._meta.model_name}_change", args=[obj.pk])
    assert client.get(url).status_code == 200
    record = only_new_record(before)
    assert (record.user, record.channel, record.kind, record.worker, record.rows) == (
        administrator,
        Channel.ADMIN,
        Kind.PERSON,
        person,
        1,
    )
    assert record.scope == {"page": model._meta.model_name, "id": obj.pk, "view": "change"}


def test_the_admin_history_of_a_person_is_recorded(client, administrator, person):
    client.force_login(administrator)
    for url in (
        reverse("admin:enrollment_worker_history", args=[person.pk]),
        reverse(
            "admin:enrollment_worker_simple_history",
            args=[person.pk, person.history.latest().history_id],
        ),
    ):
        before = AccessRecord.objects.count()
        assert client.get(url).status_code == 200
        record = only_new_record(before)
        assert (record.kind, record.worker, record.scope["view"]) == (
            Kind.PERSON,
            person,
            "history",
        )


def _export_fields(client, url) -> dict:
    form = client.get(url).context["form"]
    return {
        name: "on" for name in form.fields if name not in ("format", "resource", "export_items")
    }


@pytest.mark.parametrize("model", [Worker, Employment, Membership, Claim])
@pytest.mark.parametrize("file_format", ["0", "1"])
def test_each_admin_export_is_recorded_with_its_filter_and_rows(
    client, operator, person, employer_b, model, file_format
):
    other = factories.make_worker(name="Budi Santoso")
    factories.make_employment(other, employer_b)
    factories.make_membership(other, "JKK", employer=employer_b)
    factories.make_claim(other, employer=employer_b)
    client.force_login(operator)
    url = reverse(f"admin:enrollment_{model._meta.model_name}_export")
    fields = _export_fields(client, url)
    before = AccessRecord.objects.count()
    response = client.post(f"{url}?q=Andi", {"format": file_format, "resource": "0", **fields})
    assert response.status_code == 200
    record = only_new_record(before)
    b"".join(response.streaming_content)
    assert (record.user, record.channel, record.kind, record.employer, record.rows) == (
        operator,
        Channel.ADMIN,
        Kind.EXPORT,
        None,
        1,  # the search found Andi's record only
    )
    assert record.scope["model"] == model._meta.model_name
    assert record.scope["filters"] == {"q": ["Andi"]}
    assert record.scope["format"] == ("csv" if file_format == "0" else "xlsx")


def test_an_employment_export_of_one_employer_names_it_as_the_scope(
    client, administrator, person, employer_a
):
    client.force_login(administrator)
    url = reverse("admin:enrollment_employment_export")
    fields = _export_fields(client, url)
    before = AccessRecord.objects.count()
    client.post(
        f"{url}?employer__id__exact={employer_a.pk}", {"format": "0", "resource": "0", **fields}
    )
    record = only_new_record(before)
    assert (record.employer, record.rows) == (employer_a, 1)


def test_the_admin_preview_and_error_report_are_recorded(client, operator, employer_a):
    client.force_login(operator)
    client.post(
        reverse("admin:enrollment_importbatch_upload"),
        {
            "file": csv_file([row(), row("12")]),
            "source": "ROSTER",
            "npp": employer_a.npp,
            "reason": "CONTRACT_ENDED",
        },
    )
    batch = ImportBatch.objects.get()
    before = AccessRecord.objects.count()
    page = client.get(reverse("admin:enrollment_importbatch_review", kwargs={"pk": batch.pk}))
    record = only_new_record(before)
    assert (record.kind, record.channel, record.employer, record.rows) == (
        Kind.PREVIEW,
        Channel.ADMIN,
        employer_a,
        1,
    )
    before = AccessRecord.objects.count()
    assert client.get(page.context["errors_url"]).status_code == 200
    record = only_new_record(before)
    assert (record.kind, record.user, record.rows) == (Kind.ERROR_FILE, operator, 2)


def test_export_roster_is_recorded_as_a_command(tmp_path, employer_a, person):
    before = AccessRecord.objects.count()
    call_command(
        "export_roster",
        employer=employer_a.npp,
        output=str(tmp_path / "r.csv"),
        stdout=io.StringIO(),
    )
    record = only_new_record(before)
    assert (
        record.user,
        record.username,
        record.channel,
        record.kind,
        record.employer,
        record.rows,
    ) == (None, getpass.getuser(), Channel.COMMAND, Kind.EXPORT, employer_a, 1)


def test_a_managers_aggregate_reports_record_nothing(client, manager, person):
    client.force_login(manager)
    before = AccessRecord.objects.count()
    assert client.get("/reports/?period=2025-08").status_code == 200
    for fmt in DOWNLOAD_FORMATS:
        for identifier in ("coverage", "kecamatan-ranking", "coverage-trend"):
            url = reverse("reports:download", args=[identifier, fmt])
            assert client.get(url, {"period": "2025-08"}).status_code == 200, (identifier, fmt)
    assert AccessRecord.objects.count() == before


def test_the_record_is_its_own_transaction(employer_a_user, person):
    with transaction.atomic(), pytest.raises(RuntimeError):
        record_access(
            user=employer_a_user, channel=Channel.PORTAL, kind=Kind.PERSON, worker=person, rows=1
        )


# --- reading the log ----------------------------------------------------------------------------------------


def test_an_administrator_reads_who_read_a_person(
    client, administrator, employer_a_user, employer_b_user, person, employer_a, employer_b
):
    stranger = factories.make_worker(name="Orang Lain")
    factories.make_employment(stranger, employer_b)
    client.force_login(employer_a_user)
    client.get(reverse("portal:worker", kwargs={"pk": person.pk}))
    client.get(reverse("portal:roster_download", kwargs={"file_format": "csv"}))
    client.force_login(employer_b_user)
    client.get(reverse("portal:worker", kwargs={"pk": stranger.pk}))
    client.get(reverse("portal:roster_download", kwargs={"file_format": "csv"}))

    client.force_login(administrator)
    page = client.get(reverse("admin:enrollment_worker_change", args=[person.pk]))
    link = page.context["access_log_url"]
    assert link.encode() in page.content.replace(b"&amp;", b"&")
    assert "Siapa membaca data orang ini" in page.content.decode()
    listed = client.get(link)
    assert listed.status_code == 200
    records = list(listed.context["cl"].result_list)
    # Its own page, A's download (scoped to the person's employer), the administrator's own look just now.
    assert sorted((r.username, r.kind) for r in records) == [
        ("admin_ani", Kind.PERSON),
        ("employer_dewi", Kind.DOWNLOAD),
        ("employer_dewi", Kind.PERSON),
    ]
    assert "Orang Lain" not in listed.content.decode()

    by_user = client.get(
        reverse("admin:privacy_accessrecord_changelist"), {"user": employer_b_user.pk}
    )
    assert {(r.username, r.kind) for r in by_user.context["cl"].result_list} == {
        ("employer_eko", Kind.PERSON),
        ("employer_eko", Kind.DOWNLOAD),
    }


def test_the_log_is_read_only_and_for_administrators_only(client, administrator, operator, person):
    record_access(user=operator, channel=Channel.ADMIN, kind=Kind.PERSON, worker=person, rows=1)
    record = AccessRecord.objects.get()
    client.force_login(operator)
    assert client.get(reverse("admin:privacy_accessrecord_changelist")).status_code == 403
    page = client.get(reverse("admin:enrollment_worker_change", args=[person.pk]))
    assert "access_log_url" not in page.context
    client.force_login(administrator)
    assert client.get(reverse("admin:privacy_accessrecord_changelist")).status_code == 200
    assert client.get(reverse("admin:privacy_accessrecord_add")).status_code == 403
    change = client.get(reverse("admin:privacy_accessrecord_change", args=[record.pk]))
    assert change.status_code == 200 and b'name="_save"' not in change.content
    delete = client.post(
        reverse("admin:privacy_accessrecord_delete", args=[record.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403 and AccessRecord.objects.filter(pk=record.pk).exists()


# --- NIKs masked in lists -----------------------------------------------------------------------------------


def without_the_search_typed(page: str) -> str:
    """The page less the search term the user typed, echoed in the search box and the links that keep it."""
    for echo in (f'value="{NIK}"', f"q={NIK}", f"q%3D{NIK}", f"“{NIK}”", f"&quot;{NIK}&quot;"):
        page = page.replace(echo, "")
    return page


@pytest.mark.parametrize("model", [Worker, Employment, Membership, Claim])
def test_admin_lists_mask_the_nik_and_a_full_nik_still_finds_the_person(
    client, operator, person, model
):
    client.force_login(operator)
    url = reverse(f"admin:enrollment_{model._meta.model_name}_changelist")
    for query in ({}, {"q": NIK}):
        page = client.get(url, query).content.decode()
        assert NIK not in without_the_search_typed(page)
        assert MASKED in page and "Andi Pratama" in page, query


def test_the_change_request_list_masks_the_nik_and_its_page_is_recorded(
    client, administrator, employer_a_user, employer_a, person
):
    change = PersonalDataChangeRequest.objects.create(
        worker=person,
        employer=employer_a,
        requested_by=employer_a_user,
        changes={"name": ["Andi Pratama", "Andi Pratama Putra"]},
    )
    client.force_login(administrator)
    page = client.get(reverse("admin:enrollment_personaldatachangerequest_changelist"))
    assert MASKED in page.content.decode() and NIK not in page.content.decode()
    before = AccessRecord.objects.count()
    url = reverse("admin:enrollment_personaldatachangerequest_change", args=[change.pk])
    assert client.get(url).status_code == 200
    record = only_new_record(before)
    assert (record.kind, record.worker, record.scope["page"]) == (
        Kind.PERSON,
        person,
        "personaldatachangerequest",
    )


def test_the_admin_worker_page_shows_the_full_nik(client, operator, person):
    client.force_login(operator)
    page = client.get(reverse("admin:enrollment_worker_change", args=[person.pk]))
    assert NIK in page.content.decode()


def test_the_admin_autocomplete_masks_the_nik(client, operator, person):
    client.force_login(operator)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": NIK,
            "app_label": "enrollment",
            "model_name": "employment",
            "field_name": "worker",
        },
    )
    assert response.json()["results"] == [
        {"id": str(person.pk), "text": f"Andi Pratama ({MASKED})"}
    ]


def test_the_portal_roster_masks_the_nik_and_the_worker_page_shows_it(
    client, employer_a_user, person
):
    client.force_login(employer_a_user)
    for query in ({}, {"q": NIK}):
        page = client.get(reverse("portal:roster"), query).content.decode()
        assert NIK not in without_the_search_typed(page)
        assert MASKED in page and "Andi Pratama" in page
    page = client.get(reverse("portal:worker", kwargs={"pk": person.pk}))
    assert NIK in page.content.decode()


def test_the_import_preview_masks_the_nik(client, employer_a_user, employer_a):
    client.force_login(employer_a_user)
    client.post(
        reverse("portal:imports"), {"file": csv_file([row(NIK)]), "reason": "CONTRACT_ENDED"}
    )
    batch = ImportBatch.objects.get()
    page = client.get(reverse("portal:import_batch", kwargs={"pk": batch.pk})).content.decode()
    assert MASKED in page and NIK not in page


# --- retention ----------------------------------------------------------------------------------------------


@pytest.fixture
def files_on_disk(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    settings.PERSONAL_FILE_RETENTION_DAYS = 90
    settings.ACCESS_LOG_RETENTION_DAYS = 730
    return tmp_path


def _uploaded_batch(client, finished_at) -> ImportBatch:
    client.post(
        reverse("portal:imports"),
        {"file": csv_file([row(), row("99")]), "reason": "CONTRACT_ENDED"},
    )
    batch = ImportBatch.objects.order_by("-pk").first()
    ImportBatch.objects.filter(pk=batch.pk).update(finished_at=finished_at)
    batch.refresh_from_db()
    return batch


def test_files_past_the_period_are_deleted_and_the_batch_says_so(
    client, files_on_disk, employer_a_user, employer_a
):
    now = timezone.now()
    client.force_login(employer_a_user)
    old = _uploaded_batch(client, now - timedelta(days=91))
    recent = _uploaded_batch(client, now - timedelta(days=89))
    abandoned = _uploaded_batch(client, None)  # validated, never confirmed
    ImportBatch.objects.filter(pk=abandoned.pk).update(created_at=now - timedelta(days=91))
    old_names = [old.upload.name, old.review_file.name, old.error_file.name]
    assert all(default_storage.exists(name) for name in old_names)
    counts = (old.count_new, old.count_errors, old.row_count, old.sha256, old.file_name)
    orphan_old = files_on_disk / "imports" / "stale" / "roster.csv"
    orphan_new = files_on_disk / "imports" / "fresh" / "roster.csv"
    for path, age in ((orphan_old, 91), (orphan_new, 89)):
        path.parent.mkdir(parents=True)
        path.write_text("NIK\n7371051203900001\n")
        stamp = (now - timedelta(days=age)).timestamp()
        os.utime(path, (stamp, stamp))
    for age in (731, 729):
        record_access(user=employer_a_user, channel=Channel.PORTAL, kind=Kind.PERSON, rows=1)
        AccessRecord.objects.filter(pk=AccessRecord.objects.latest("pk").pk).update(
            at=now - timedelta(days=age)
        )

    dry = io.StringIO()
    call_command("purge_personal_files", "--dry-run", stdout=dry)
    assert all(default_storage.exists(name) for name in old_names) and orphan_old.exists()
    assert "Would delete 7 file(s) of 2 import batch(es)" in dry.getvalue()

    out = io.StringIO()
    call_command("purge_personal_files", stdout=out)
    assert f"Deleted {old.upload.name} (import batch #{old.pk})" in out.getvalue()
    assert (
        "Deleted 7 file(s) of 2 import batch(es) and orphans, 1 access record(s)." in out.getvalue()
    )
    assert not any(default_storage.exists(name) for name in old_names)
    assert not orphan_old.exists() and orphan_new.exists()
    old.refresh_from_db()
    assert (old.upload.name, old.review_file.name, old.error_file.name) == ("", "", "")
    assert (old.count_new, old.count_errors, old.row_count, old.sha256, old.file_name) == counts
    assert old.summary["files_deleted_on"] == timezone.localdate().isoformat()
    recent.refresh_from_db()
    assert recent.upload and default_storage.exists(recent.upload.name)
    abandoned.refresh_from_db()
    assert (abandoned.status, abandoned.upload.name) == (ImportBatch.Status.CANCELLED, "")
    assert AccessRecord.objects.filter(at__lt=now - timedelta(days=730)).count() == 0
    assert AccessRecord.objects.filter(at__lt=now - timedelta(days=700)).count() == 1

    again = io.StringIO()
    call_command("purge_personal_files", stdout=again)
    assert (
        "Deleted 0 file(s) of 0 import batch(es) and orphans, 0 access record(s)."
        in again.getvalue()
    )

    today = timezone.localdate().strftime("%d/%m/%Y")  # the clerks' date (decision 39)
    portal = client.get(reverse("portal:import_batch", kwargs={"pk": old.pk})).content.decode()
    assert f"dihapus pada {today}" in portal
    assert reverse("portal:import_errors", kwargs={"pk": old.pk}) not in portal
    assert client.get(reverse("portal:import_errors", kwargs={"pk": old.pk})).status_code == 404


def test_the_admin_says_when_a_batchs_files_go_or_went(
    client, files_on_disk, administrator, employer_a_user, employer_a
):
    client.force_login(employer_a_user)
    finished = timezone.now() - timedelta(days=100)
    batch = _uploaded_batch(client, finished)
    client.force_login(administrator)
    change = reverse("admin:enrollment_importbatch_change", args=[batch.pk])
    kept_until = timezone.localdate(finished + timedelta(days=90)).strftime(
        "%d/%m/%Y"
    )  # the clerks' date (decision 39)
    assert f"Disimpan sampai {kept_until}" in client.get(change).content.decode()
    with mock.patch("django.utils.timezone.now", return_value=timezone.now()):
        call_command("purge_personal_files", stdout=io.StringIO())
    today = timezone.localdate().strftime("%d/%m/%Y")  # the clerks' date (decision 39)
    assert f"Dihapus pada {today}" in client.get(change).content.decode()
    review = client.get(reverse("admin:enrollment_importbatch_review", kwargs={"pk": batch.pk}))
    assert f"dihapus pada {today}" in review.content.decode()
    assert json.dumps(batch.sha256)[1:-1] in client.get(change).content.decode()


def test_the_admin_homes_recent_actions_mask_the_nik_of_an_edited_person(client, operator, person):
    """Django's log keeps the record's name as it was (``Andi Pratama (7371…)``); the home page lists it masked."""
    LogEntry.objects.log_actions(
        operator.pk, [person], CHANGE, change_message="[]", single_object=True
    )
    client.force_login(operator)
    page = client.get(reverse("admin:index")).content.decode()
    assert f"Andi Pratama ({MASKED})" in page
    assert NIK not in page


def test_the_log_masks_a_nik_searched_for_in_an_export(client, administrator, person):
    scope = {"model": "worker", "filters": {"q": [NIK]}}
    record_access(user=administrator, channel=Channel.ADMIN, kind=Kind.EXPORT, scope=scope, rows=1)
    client.force_login(administrator)
    page = client.get(reverse("admin:privacy_accessrecord_changelist")).content.decode()
    assert MASKED in page and NIK not in page


def test_the_access_logs_scope_names_a_record_by_its_number_not_as_an_amount():
    """Seen in the admin walk on PostgreSQL once ids passed 999: "nomor data: 1061" read as an unformatted
    amount; a record's number is written as import batches are, ``#1061``."""
    with translation.override("id"):
        text = scope_text({"page": "worker", "id": 1061, "view": "history"})
    assert text == "nomor data: #1061; halaman: pekerja; tampilan: riwayat"
