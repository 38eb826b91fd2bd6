"""The registration hand-over (decision 62): the file BPJS asks for, one row per person, the memberships marked
submitted, the empty file refused; the rejected work list's two actions; who may reach each page."""

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from bpjs.models import RegistrationFile
from bpjs.services.handover import (
    NothingToHandOver,
    create_registration_file,
    end_rejected,
    resubmit_rejected,
)
from enrollment.models import BpjsStatus, ImportBatch, Membership
from privacy.models import AccessRecord
from programs.models import FundingScheme, Kelurahan, Segment
from tests import factories

pytestmark = pytest.mark.usefixtures("reference_data")
HEADER = [
    "NIK",
    "NAMA LENGKAP",
    "TEMPAT LAHIR",
    "TANGGAL LAHIR",
    "JENIS KELAMIN",
    "ALAMAT",
    "NO HP",
    "PROGRAM",
    "UPAH/PENGHASILAN",
    "BULAN MULAI",
    "NPP",
    "SEGMEN",
]


def city_funded(worker, code, **values):
    """A city-funded (APBD) membership of the informal/vulnerable segment, registered here."""
    segment = values.pop("segment", None) or Segment.objects.get(code="RENTAN")
    return factories.make_membership(
        worker,
        code,
        segment=segment,
        funding_scheme=FundingScheme.objects.get(code="APBD"),
        start_date=values.pop("start_date", date(2025, 9, 1)),
        monthly_contribution=values.pop("monthly_contribution", 10_800),
        government_share=values.pop("government_share", 10_800),
        wage=values.pop("wage", 1_000_000),
        **values,
    )


@pytest.fixture
def dtsen_batch(db):
    return ImportBatch.objects.create(
        source=ImportBatch.Source.DTSEN, status=ImportBatch.Status.IMPORTED, file_name="dtsen.csv"
    )


@pytest.fixture
def small_batch(dtsen_batch):
    """Two persons to hand over (one with JKK and JKM, one with JKK only) and three memberships that are not:
    employer-funded, already submitted, ended."""
    kelurahan = Kelurahan.objects.order_by("code").first()
    siti = factories.make_worker(
        name="Siti Rahmawati",
        birth_date=date(1985, 7, 4),
        sex="P",
        address="Jl. Rajawali 7",
        phone="081234500001",
    )
    city_funded(siti, "JKK", import_batch=dtsen_batch)
    city_funded(siti, "JKM", import_batch=dtsen_batch)
    daeng = factories.make_worker(name="Ṭalli Daeng Ñgai", birth_date=date(1990, 3, 12))
    city_funded(daeng, "JKK", import_batch=dtsen_batch, start_date=date(2025, 10, 1))
    factories.make_membership(factories.make_worker(), "JKK", import_batch=dtsen_batch)
    submitted = city_funded(factories.make_worker(), "JKK", import_batch=dtsen_batch)
    Membership.objects.filter(pk=submitted.pk).update(bpjs_status=BpjsStatus.SUBMITTED)
    city_funded(
        factories.make_worker(), "JKK", import_batch=dtsen_batch, end_date=date(2025, 9, 30)
    )
    return {"siti": siti, "daeng": daeng, "kelurahan": kelurahan}


def read_csv(registration: RegistrationFile) -> list[list[str]]:
    text = registration.csv_file.open("rb").read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_file_has_one_row_per_person_in_bpjs_columns_and_marks_them_submitted(
    small_batch, dtsen_batch, operator
):
    siti, daeng, kelurahan = small_batch["siti"], small_batch["daeng"], small_batch["kelurahan"]
    registration = create_registration_file(acting_user=operator, import_batch=dtsen_batch)

    # Handed over: Siti's JKK and JKM (one row, "JKK+JKM") and Daeng's JKK: 2 persons, 3 memberships. Not the
    # employer-funded one, the one already submitted, nor the ended one (they stay as they were).
    assert (registration.person_count, registration.membership_count) == (2, 3)
    assert registration.reference == f"REG-{timezone.localdate():%Y-%m}-0001"
    assert (registration.created_by, registration.import_batch) == (operator, dtsen_batch)
    rows = read_csv(registration)
    assert rows == [
        HEADER,
        [siti.nik, "Siti Rahmawati", "", "04/07/1985", "P", f"Jl. Rajawali 7, Kel. {kelurahan.name}",
         "081234500001", "JKK+JKM", "1000000", "09/2025", "", "RENTAN"],
        [daeng.nik, "Ṭalli Daeng Ñgai", "", "12/03/1990", "L", f"Kel. {kelurahan.name}", "",
         "JKK", "1000000", "10/2025", "", "RENTAN"],
    ]  # fmt: skip

    sheet = load_workbook(registration.xlsx_file.open("rb")).active
    assert [cell.value for cell in sheet[1]] == HEADER
    nik_cell = sheet["A2"]
    assert (nik_cell.value, nik_cell.data_type) == (siti.nik, "s")  # text: all 16 digits kept
    assert sheet["B3"].value == "Ṭalli Daeng Ñgai"

    handed_over = Membership.objects.filter(bpjs_submission=registration)
    assert handed_over.count() == 3
    assert set(handed_over.values_list("bpjs_status", flat=True)) == {BpjsStatus.SUBMITTED}
    history = Membership.history.filter(bpjs_status=BpjsStatus.SUBMITTED, history_type="~")
    assert history.count() == 3
    assert {entry.history_user for entry in history} == {operator}


def test_a_file_with_no_one_to_hand_over_is_refused(small_batch, dtsen_batch, operator):
    create_registration_file(acting_user=operator, import_batch=dtsen_batch)
    with pytest.raises(NothingToHandOver):  # the second click: everything is already submitted
        create_registration_file(acting_user=operator, import_batch=dtsen_batch)
    assert RegistrationFile.objects.count() == 1


def test_a_person_two_employers_share_is_handed_over_only_through_the_city_funded_membership(
    operator, employer_a, employer_b
):
    worker = factories.make_worker(name="Rudi Hartono")
    factories.make_employment(worker, employer_a)
    factories.make_employment(worker, employer_b)
    factories.make_membership(worker, "JHT", employer=employer_a)  # employer A pays it
    non_asn = Segment.objects.get(code="NON_ASN")
    city_funded(worker, "JKK", segment=non_asn, employer=employer_b, wage=3_500_000)
    city_funded(worker, "JKM", segment=non_asn, employer=employer_b, wage=3_500_000)

    registration = create_registration_file(acting_user=operator, segment=non_asn)

    [header, row] = read_csv(registration)
    # The row: JKK+JKM of the city budget under employer B's NPP; employer A's JHT is not BPJS's to register.
    assert (row[0], row[7], row[8], row[10], row[11]) == (
        worker.nik,
        "JKK+JKM",
        "3500000",
        employer_b.npp,
        "NON_ASN",
    )
    jht = Membership.objects.get(program__code="JHT")
    assert (jht.bpjs_status, jht.bpjs_submission) == (BpjsStatus.REGISTERED, None)


def test_a_changed_heading_is_the_files_next_column_name(small_batch, dtsen_batch, operator):
    from bpjs.models import ColumnMapping, FileKind

    ColumnMapping.objects.filter(kind=FileKind.REGISTRATION, field="nik").update(
        heading="NOMOR KTP"
    )
    registration = create_registration_file(acting_user=operator, import_batch=dtsen_batch)
    assert read_csv(registration)[0][0] == "NOMOR KTP"


# --- the rejected work list ------------------------------------------------------------------------------------


@pytest.fixture
def rejected(operator):
    worker = factories.make_worker(name="Nur Aisyah")
    membership = city_funded(worker, "JKK")
    membership.bpjs_status = BpjsStatus.REJECTED  # as BPJS's response left it, with its history row
    membership.bpjs_reason = "NIK tidak ditemukan di Dukcapil"
    membership.save()
    return membership


def test_resubmitting_puts_the_rejection_back_in_the_next_file_and_keeps_the_reason_in_history(
    rejected, operator
):
    with translation.override("en"):
        resubmit_rejected(rejected, acting_user=operator)
    rejected.refresh_from_db()
    assert (rejected.bpjs_status, rejected.bpjs_reason) == (BpjsStatus.REGISTERED, "")
    latest, before = Membership.history.filter(id=rejected.pk).order_by("-history_id")[:2]
    assert (before.bpjs_status, before.bpjs_reason) == (
        BpjsStatus.REJECTED,
        "NIK tidak ditemukan di Dukcapil",
    )
    assert (latest.history_user, latest.history_change_reason) == (
        operator,
        "Corrected and resubmitted to BPJS",
    )
    registration = create_registration_file(acting_user=operator, segment=rejected.segment)
    assert registration.membership_count == 1


def test_ending_a_rejection_needs_a_reason_and_keeps_it(rejected, operator):
    with pytest.raises(ValidationError):
        end_rejected(rejected, end_date=date(2025, 9, 30), reason=" ", acting_user=operator)
    end_rejected(
        rejected, end_date=date(2025, 9, 30), reason="Meninggal dunia", acting_user=operator
    )
    rejected.refresh_from_db()
    assert (rejected.end_date, rejected.bpjs_reason) == (date(2025, 9, 30), "Meninggal dunia")
    last = Membership.history.filter(id=rejected.pk).latest("history_id")
    assert (last.history_user, last.history_change_reason) == (operator, "Meninggal dunia")
    with pytest.raises(ValidationError):  # no longer on the work list
        resubmit_rejected(rejected, acting_user=operator)


def test_the_work_list_lists_open_rejections_with_the_reason_and_its_actions_work(
    client, rejected, operator
):
    client.force_login(operator)
    url = reverse("admin:bpjs_rejectedmembership_changelist")
    page = client.get(url)
    assert page.status_code == 200
    assert "NIK tidak ditemukan di Dukcapil" in page.content.decode()
    client.post(
        url,
        {
            "action": "end_with_reason",
            "_selected_action": [rejected.pk],
            "apply": "1",
            "end_date": "30/09/2025",
            "reason": "Pindah domisili",
        },
    )
    rejected.refresh_from_db()
    assert (rejected.end_date, rejected.bpjs_reason) == (date(2025, 9, 30), "Pindah domisili")
    assert "Pindah domisili" not in client.get(url).content.decode()  # ended: off the list


# --- the admin's pages --------------------------------------------------------------------------------------------


def test_an_operator_produces_a_file_for_a_segment_and_downloads_it_logged(
    client, small_batch, operator
):
    client.force_login(operator)
    produce = reverse("admin:bpjs_registrationfile_produce")
    assert client.get(produce).status_code == 200
    response = client.post(produce, {"segment": Segment.objects.get(code="RENTAN").pk})
    assert response.url == reverse("admin:bpjs_registrationfile_changelist")
    registration = RegistrationFile.objects.get()
    # RENTAN: the batch's Siti and Daeng (3 memberships); the submitted and the ended one are not waiting.
    assert (registration.person_count, registration.membership_count) == (2, 3)
    again = client.post(produce, {"segment": Segment.objects.get(code="RENTAN").pk})
    assert (
        again.status_code == 200 and RegistrationFile.objects.count() == 1
    )  # double submit: refused
    for file_format in ("xlsx", "csv"):
        url = reverse(
            "admin:bpjs_registrationfile_download",
            kwargs={"pk": registration.pk, "file_format": file_format},
        )
        download = client.get(url)
        assert download.status_code == 200
        b"".join(download.streaming_content)
    records = AccessRecord.objects.filter(user=operator, kind=AccessRecord.Kind.EXPORT)
    assert [record.rows for record in records] == [2, 2]


def test_the_import_batch_action_opens_the_hand_over_of_that_batch(client, dtsen_batch, operator):
    client.force_login(operator)
    response = client.post(
        reverse("admin:enrollment_importbatch_changelist"),
        {"action": "produce_registration_file", "_selected_action": [dtsen_batch.pk]},
    )
    assert (
        response.url
        == f"{reverse('admin:bpjs_registrationfile_produce')}?import_batch={dtsen_batch.pk}"
    )


def test_employers_reach_none_of_the_hand_over_pages(
    client, employer_a_user, small_batch, operator
):
    registration = create_registration_file(
        acting_user=operator, segment=Segment.objects.get(code="RENTAN")
    )
    client.force_login(employer_a_user)
    urls = [
        reverse("admin:bpjs_registrationfile_changelist"),
        reverse("admin:bpjs_registrationfile_produce"),
        reverse("admin:bpjs_registrationfile_response"),
        reverse("admin:bpjs_registrationfile_download", kwargs={"pk": registration.pk, "file_format": "xlsx"}),
        reverse("admin:bpjs_registrationfile_columns_template", kwargs={"kind": "response", "file_format": "csv"}),
        reverse("admin:bpjs_rejectedmembership_changelist"),
        reverse("admin:bpjs_columnmapping_changelist"),
    ]  # fmt: skip
    for url in urls:
        response = client.get(url)
        # Not staff: the admin sends them to its login page, and nothing is handed out.
        assert response.status_code == 302 and response.url.startswith("/admin/login/"), url
    assert not AccessRecord.objects.exists()


def test_the_demo_hands_the_dtsen_list_over_and_imports_bpjs_answer_once(
    operator, settings, tmp_path
):
    from bpjs.demo import ensure_registration_demo
    from enrollment.demo.dtsen import COLUMNS
    from enrollment.demo.seeding import default_dtsen_path
    from tests.test_imports import KELURAHAN

    settings.GENERATED_DIR = tmp_path
    ImportBatch.objects.create(
        source=ImportBatch.Source.DEMO,
        status=ImportBatch.Status.IMPORTED,
        file_name="seed_demo scale=0.001 seed=7",
    )
    path = default_dtsen_path(0.001, 7)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for _number in range(80):
            writer.writerow([factories.make_nik(), "Warga Rentan", "1990-03-12", "L", KELURAHAN,
                             "Jl. Rajawali", "Nelayan", "3", "tidak"])  # fmt: skip

    said = ensure_registration_demo(operator)

    # 80 persons handed over (JKK and JKM each: 160 memberships); persons 40 and 80 rejected, 78 accepted.
    assert "80 persons" in said and "78 accepted, 2 rejected" in said
    statuses = Membership.objects.values_list("bpjs_status", flat=True)
    assert sorted(set(statuses)) == [BpjsStatus.ACTIVE, BpjsStatus.REJECTED]
    assert Membership.objects.filter(bpjs_status=BpjsStatus.REJECTED).count() == 4
    assert ensure_registration_demo(operator) == "BPJS registration demo: already there"
    assert RegistrationFile.objects.count() == 1


def test_a_reference_taken_at_the_same_moment_is_a_message_and_nothing_is_marked(
    small_batch, dtsen_batch, operator, monkeypatch
):
    RegistrationFile.objects.create(reference="REG-2025-08-0001")
    monkeypatch.setattr("bpjs.services.handover._next_reference", lambda today: "REG-2025-08-0001")
    with pytest.raises(ValidationError):
        create_registration_file(acting_user=operator, import_batch=dtsen_batch)
    assert (
        not Membership.objects.filter(bpjs_status=BpjsStatus.SUBMITTED)
        .exclude(bpjs_submission=None)
        .exists()
    )
