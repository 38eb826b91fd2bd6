"""The admin's per-model import/export resources: the same cell rules as the roster import, the models' own
validation, an ImportBatch per confirmed import, audit history through the IMPORT channel."""

from datetime import date

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from berjasa.audit import Channel
from enrollment import services
from enrollment.models import Claim, Employment, ImportBatch, Membership, Worker
from enrollment.resources import (
    CONFIRM_COLUMN,
    ClaimResource,
    EmployerResource,
    EmploymentResource,
    MembershipResource,
    WorkerResource,
)
from programs.models import ContributionRate
from tests import factories

pytestmark = pytest.mark.django_db

ALREADY_ON_ROSTER = "Pekerja ini sudah ada dalam daftar pekerja pemberi kerja ini."
WORKER_HEADERS = ["nik", "name", "birth_date", "sex", "kelurahan", "has_disability"]


def dataset(headers, *rows) -> tablib.Dataset:
    return tablib.Dataset(*rows, headers=headers)


def test_a_worker_import_normalises_niks_reads_both_date_forms_and_writes_history(
    reference_data, administrator
):
    nik = factories.make_nik()
    spaced = f"{nik[:4]} {nik[4:8]}.{nik[8:]}"
    data = dataset(WORKER_HEADERS, [spaced, "Andi", "12/03/1990", "L", "73.71.01.1001", "0"])
    result = WorkerResource().import_data(
        data, dry_run=False, user=administrator, file_name="w.csv"
    )
    assert not result.has_errors() and not result.has_validation_errors()
    worker = Worker.objects.get(nik=nik)
    batch = ImportBatch.objects.get()
    assert (batch.source, batch.status, batch.count_new, batch.created_by) == (
        ImportBatch.Source.ADMIN,
        ImportBatch.Status.IMPORTED,
        1,
        administrator,
    )
    assert (worker.entered_via, worker.import_batch, worker.kelurahan.code) == (
        Channel.IMPORT,
        batch,
        "73.71.01.1001",
    )
    history = worker.history.get()
    assert (history.history_channel, history.history_batch_id, history.history_user) == (
        Channel.IMPORT,
        batch.pk,
        administrator,
    )


def test_a_preview_writes_nothing_and_records_no_batch(reference_data, administrator):
    data = dataset(WORKER_HEADERS, [factories.make_nik(), "Andi", "1990-03-12", "L", "", "0"])
    result = WorkerResource().import_data(data, dry_run=True, user=administrator)
    assert result.totals["new"] == 1
    assert not Worker.objects.exists() and not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("nik", "birth_date", "field"),
    [
        ("7.37105E+15", "1990-03-12", "nik"),
        (7371051203900001, "1990-03-12", "nik"),
        ("7371051203900000", "1990-03-12", "nik"),
        ("7371051203900001", "31/02/1990", "birth_date"),
        ("7371051203900001", "2999-01-01", "birth_date"),
    ],
)
def test_a_wrong_cell_is_a_validation_error_and_nothing_is_written(
    reference_data, administrator, nik, birth_date, field
):
    data = dataset(WORKER_HEADERS, [nik, "Andi", birth_date, "L", "", "0"])
    result = WorkerResource().import_data(data, dry_run=False, user=administrator)
    if field == "nik":  # the NIK finds the row: a wrong one stops the row before validation
        assert result.has_errors()
    else:
        assert field in result.invalid_rows[0].error_dict
    assert not Worker.objects.exists()
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED


def test_rows_refer_to_others_by_nik_npp_and_code(employer_a, administrator):
    worker = factories.make_worker()
    data = dataset(
        ["worker", "employer", "start_date", "end_date", "termination_reason", "monthly_wage"],
        [worker.nik, employer_a.npp, "01/02/2025", "", "", "4000000"],
    )
    result = EmploymentResource().import_data(data, dry_run=False, user=administrator)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Employment.objects.get().employer == employer_a


@pytest.mark.parametrize(
    "resource",
    [EmployerResource, WorkerResource, EmploymentResource, MembershipResource, ClaimResource],
)
def test_every_resource_exports_with_formulas_neutralised(employer_a, resource):
    worker = factories.make_worker(name="=HYPERLINK(1)")
    factories.make_employment(worker, employer_a)
    factories.make_membership(worker, "JKK", employer=employer_a)
    factories.make_claim(worker)
    exported = resource().export()
    assert exported.height >= 1
    if resource is WorkerResource:
        assert exported["name"] == ["'=HYPERLINK(1)"]
        assert exported["nik"] == [worker.nik]


# --- Employments, memberships and claims are written by the services ---------------------------------------

EMPLOYMENT_HEADERS = [name for name in EmploymentResource._meta.fields if name != CONFIRM_COLUMN]


def snapshot(*models) -> list:
    """Every row of the models and of their history: what 'nothing was written' compares."""
    return [
        list(table.objects.order_by("pk").values())
        for model in models
        for table in (model, model.history.model)
    ]


def import_file(resource, headers, *rows, user, dry_run=False):
    return resource().import_data(dataset(headers, *rows), dry_run=dry_run, user=user)


def row_errors(result) -> list[str]:
    return [message for row in result.invalid_rows for message in row.error.messages]


def test_an_employment_file_hires_corrects_and_ends_through_the_services(
    employer_a, employer_b, administrator
):
    worker, other = factories.make_worker(), factories.make_worker()
    corrected = factories.make_employment(worker, employer_a)
    ending = factories.make_employment(worker, employer_b)
    membership = factories.make_membership(worker, "JKK", employer=employer_b)
    # JKM through employer A: 0.30 % of 3,900,000 = 11,700 (PP 44/2015).
    jkm = factories.make_membership(
        worker, "JKM", employer=employer_a, wage=3_900_000, monthly_contribution=11_700
    )
    result = import_file(
        EmploymentResource,
        EMPLOYMENT_HEADERS,
        ["", other.nik, employer_a.npp, "2025-02-01", "", "", "4000000"],
        [corrected.pk, worker.nik, employer_a.npp, "2024-01-01", "", "", "4200000"],
        [ending.pk, worker.nik, employer_b.npp, "2024-01-01", "2025-06-30", "RESIGNED", "3900000"],
        user=administrator,
    )
    assert not result.has_errors() and not result.has_validation_errors()
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.count_new, batch.count_updated) == ("IMPORTED", 1, 2)
    hired = Employment.objects.get(worker=other)
    assert (hired.entered_via, hired.import_batch) == (Channel.IMPORT, batch)
    corrected.refresh_from_db()
    membership.refresh_from_db()
    assert corrected.monthly_wage == 4_200_000
    jkm.refresh_from_db()  # the corrected wage's JKM through update_employment: 0.30 % of 4,200,000
    assert (jkm.employer_share, jkm.wage) == (12_600, 4_200_000)
    assert membership.end_date == date(2025, 6, 30)  # terminate_employment ended it with the job
    for record in (hired, corrected, membership):
        change = record.history.latest()
        assert (change.history_channel, change.history_batch_id, change.history_user) == (
            Channel.IMPORT,
            batch.pk,
            administrator,
        )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["", "{nik}", "{npp}", "2025-02-01", "", "", "4000000"], ALREADY_ON_ROSTER),
        (
            ["{pk}", "{nik}", "{npp}", "2024-01-01", "2025-06-30", "", "3900000"],
            "Pilih alasan berakhirnya hubungan kerja.",
        ),
        (
            ["{pk}", "{nik}", "{other_npp}", "2024-01-01", "", "", "3900000"],
            "Impor tidak dapat memindahkan hubungan kerja",
        ),
    ],
    ids=["second open employment", "end without a reason", "other employer"],
)
def test_an_employment_row_the_service_refuses_is_a_row_error_and_nothing_is_written(
    employer_a, employer_b, administrator, row, message
):
    worker = factories.make_worker()
    employment = factories.make_employment(worker, employer_a)
    factories.make_membership(worker, "JKK", employer=employer_a)
    newcomer = factories.make_worker()
    before = snapshot(Employment, Membership)
    values = {"pk": employment.pk, "nik": worker.nik, "npp": employer_a.npp}
    values["other_npp"] = employer_b.npp
    result = import_file(
        EmploymentResource,
        EMPLOYMENT_HEADERS,
        ["", newcomer.nik, employer_b.npp, "2025-02-01", "", "", "4000000"],  # valid on its own
        [str(cell).format(**values) for cell in row],
        user=administrator,
    )
    assert [row.number for row in result.invalid_rows] == [2]
    assert any(error.startswith(message) for error in row_errors(result))
    assert snapshot(Employment, Membership) == before
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED


# Without the confirmation column (tests/test_date_contradictions.py fills it).
MEMBERSHIP_HEADERS = [name for name in MembershipResource._meta.fields if name != CONFIRM_COLUMN]


def enrolment_row(worker: Worker, employer, contribution: str = "") -> list:
    """A new JKM membership from 1 January 2025 on a wage of Rp5,000,000."""
    return [
        "",
        worker.nik,
        "JKM",
        "FORMAL",
        "EMPLOYER",
        employer.npp,
        "2025-01-01",
        "",
        contribution,
        "",  # the shares are computed, never read from a file
        "",
        "",
        "5000000",
    ]


def test_a_membership_file_enrols_with_the_computed_contribution_and_ends_through_the_services(
    employer_a, administrator
):
    worker, newcomer = factories.make_worker(), factories.make_worker()
    factories.make_employment(worker, employer_a)
    factories.make_employment(newcomer, employer_a)
    open_one = factories.make_membership(worker, "JKK", employer=employer_a)
    jkm_rate = ContributionRate.objects.get(
        program__code="JKM", segment_kind="PU", valid_to__isnull=True
    )
    result = import_file(
        MembershipResource,
        MEMBERSHIP_HEADERS,
        enrolment_row(newcomer, employer_a, contribution="1"),  # a typed contribution is not used
        [
            open_one.pk,
            worker.nik,
            "JKK",
            "FORMAL",
            "EMPLOYER",
            employer_a.npp,
            "2024-01-01",
            "2025-06-30",
            "9360",
            "1",  # ignored
            "",
            "",
            "",
        ],
        user=administrator,
    )
    assert not result.has_errors() and not result.has_validation_errors()
    batch = ImportBatch.objects.get()
    enrolled = Membership.objects.get(worker=newcomer)
    assert enrolled.monthly_contribution == round(5_000_000 * jkm_rate.percent_of_wage / 100)
    assert (enrolled.import_batch, enrolled.entered_via) == (batch, Channel.IMPORT)
    open_one.refresh_from_db()
    assert open_one.end_date == date(2025, 6, 30)
    for record in (enrolled, open_one):
        change = record.history.latest()
        assert (change.history_channel, change.history_batch_id) == (Channel.IMPORT, batch.pk)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"segment": "RENTAN"}, "Impor hanya dapat mengakhiri kepesertaan yang aktif"),
        ({"monthly_contribution": "1"}, "Impor hanya dapat mengakhiri kepesertaan yang aktif"),
        ({"end_date": "2023-12-31"}, "Tanggal berakhir tidak boleh sebelum tanggal mulai."),
    ],
    ids=["segment", "contribution", "end before start"],
)
def test_a_membership_change_the_services_refuse_is_a_row_error_and_nothing_is_written(
    employer_a, administrator, changes, message
):
    worker, newcomer = factories.make_worker(), factories.make_worker()
    factories.make_employment(newcomer, employer_a)
    membership = factories.make_membership(worker, "JKK", employer=employer_a)
    before = snapshot(Membership)
    row = {
        "id": membership.pk,
        "worker": worker.nik,
        "program": "JKK",
        "segment": "FORMAL",
        "funding_scheme": "EMPLOYER",
        "employer": employer_a.npp,
        "start_date": "2024-01-01",
        "end_date": "",
        "monthly_contribution": "9360",
        "employer_share": "9360",
        "worker_share": "0",
        "government_share": "0",
        "wage": "",
    } | changes
    result = import_file(
        MembershipResource,
        MEMBERSHIP_HEADERS,
        enrolment_row(newcomer, employer_a),  # valid on its own
        [row[header] for header in MEMBERSHIP_HEADERS],
        user=administrator,
    )
    assert [row.number for row in result.invalid_rows] == [2]
    assert any(error.startswith(message) for error in row_errors(result))
    assert snapshot(Membership) == before


CLAIM_HEADERS = [name for name in ClaimResource._meta.fields if name != CONFIRM_COLUMN]


def test_a_claim_file_records_and_advances_claims_through_the_services(
    reference_data, administrator
):
    worker = factories.make_worker()
    factories.make_membership(worker, "JHT")
    verified = factories.make_claim(worker, status="VERIFIED", reference="KLM-1")
    result = import_file(
        ClaimResource,
        CLAIM_HEADERS,
        [
            "KLM-2",
            worker.nik,
            "JHT",
            "FORMAL",
            "",
            "2025-01-10",
            "2025-01-15",
            "2025-02-01",
            "9000000",
            "PAID",
        ],
        [
            "KLM-1",
            worker.nik,
            "JHT",
            "FORMAL",
            "",
            "2025-01-10",
            "2025-01-15",
            "2025-02-03",
            "12000000",
            "PAID",
        ],
        user=administrator,
    )
    assert not result.has_errors() and not result.has_validation_errors()
    batch = ImportBatch.objects.get()
    new = Claim.objects.get(reference="KLM-2")
    verified.refresh_from_db()
    assert (new.status, new.paid_date, new.import_batch) == ("PAID", date(2025, 2, 1), batch)
    assert [h.status for h in new.history.order_by("history_id")] == [
        "SUBMITTED",
        "VERIFIED",
        "PAID",
    ]
    assert (verified.status, verified.paid_date, verified.amount) == (
        "PAID",
        date(2025, 2, 3),
        12_000_000,
    )
    for claim in (new, verified):
        change = claim.history.latest()
        assert (change.history_channel, change.history_batch_id, change.history_user) == (
            Channel.IMPORT,
            batch.pk,
            administrator,
        )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "SUBMITTED"}, "Klaim berstatus Dibayar tidak dapat menjadi Diajukan."),
        ({"amount": "1"}, "Impor hanya dapat memindahkan klaim ke status berikutnya"),
        ({"status": "LUNAS"}, "“LUNAS” bukan status klaim."),
    ],
    ids=["backwards", "amount of a paid claim", "unknown status"],
)
def test_a_claim_change_the_services_refuse_is_a_row_error_and_nothing_is_written(
    reference_data, administrator, changes, message
):
    worker = factories.make_worker()
    factories.make_membership(worker, "JHT")
    factories.make_claim(worker, reference="KLM-1", status="PAID", paid_date=date(2025, 2, 1))
    before = snapshot(Claim)
    row = {
        "reference": "KLM-1",
        "worker": worker.nik,
        "benefit_type": "JHT",
        "segment": "FORMAL",
        "employer": "",
        "incident_date": "2025-01-10",
        "submitted_date": "2025-01-15",
        "paid_date": "2025-02-01",
        "amount": "12500000",
        "status": "PAID",
    } | changes
    result = import_file(
        ClaimResource,
        CLAIM_HEADERS,
        ["KLM-2", worker.nik, "JHT", "FORMAL", "", "2025-01-10", "2025-01-15", "", "1000", ""],
        [row[header] for header in CLAIM_HEADERS],
        user=administrator,
    )
    assert [row.number for row in result.invalid_rows] == [2]
    assert any(error.startswith(message) for error in row_errors(result))
    assert snapshot(Claim) == before


def test_the_admin_preview_shows_the_services_refusal_and_offers_no_confirmation(
    reference_data, client, operator
):
    worker = factories.make_worker()
    factories.make_membership(worker, "JHT")
    factories.make_claim(worker, reference="KLM-1", status="PAID", paid_date=date(2025, 2, 1))
    before = snapshot(Claim)
    content = (
        ",".join(CLAIM_HEADERS)
        + f"\nKLM-1,{worker.nik},JHT,FORMAL,,2025-01-10,2025-01-15,2025-02-01,12500000,SUBMITTED\n"
    )
    upload = SimpleUploadedFile("klaim.csv", content.encode(), content_type="text/csv")
    client.force_login(operator)
    response = client.post(
        reverse("admin:enrollment_claim_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Klaim berstatus Dibayar tidak dapat menjadi Diajukan." in page
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert snapshot(Claim) == before


def test_a_worker_changed_after_the_import_read_it_is_refused_not_overwritten(
    reference_data, administrator, monkeypatch
):
    """Between the import reading the worker and saving it, someone saves the worker's phone (decision 45).

    The other save is simulated inside the import's transaction, so it is undone with the refused import here.
    """
    worker = factories.make_worker(phone="081111111111")
    read = WorkerResource.get_instance

    def read_then_someone_saves(self, instance_loader, row):
        instance = read(self, instance_loader, row)
        services.update_worker(
            worker, acting_user=administrator, channel=Channel.ADMIN, phone="082222222222"
        )
        return instance

    monkeypatch.setattr(WorkerResource, "get_instance", read_then_someone_saves)
    result = import_file(
        WorkerResource,
        [*WORKER_HEADERS, "occupation"],
        [worker.nik, worker.name, "1990-03-12", "L", "73.71.01.1001", "0", "Nelayan"],
        user=administrator,
    )
    assert "diubah oleh orang lain" in row_errors(result)[0]
    # The refusal names the change it did not overwrite; the file's value, read with the old phone, is not saved.
    assert "telepon 081111111111 → 082222222222" in row_errors(result)[1]
    worker.refresh_from_db()
    assert worker.occupation == "Pedagang"
