"""The admin's per-model import/export resources: the same cell rules as the roster import, the models' own
validation, an ImportBatch per confirmed import, audit history through the IMPORT channel."""

import pytest
import tablib

from berjasa.audit import Channel
from enrollment.models import Employment, ImportBatch, Worker
from enrollment.resources import (
    ClaimResource,
    EmployerResource,
    EmploymentResource,
    MembershipResource,
    WorkerResource,
)
from tests import factories

pytestmark = pytest.mark.django_db

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
