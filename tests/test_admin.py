"""The Django admin: every page opens, pages cost the same number of queries at any size, search and filters
find the right rows, the worker form applies the NIK rules, and each role gets exactly its doors."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from simple_history.models import HistoricalChanges

from enrollment import services
from enrollment.models import (
    Channel,
    Claim,
    Employer,
    EmployerUser,
    Employment,
    IdentityProofAttempt,
    ImportBatch,
    Membership,
    PersonalDataChangeRequest,
    Worker,
)
from enrollment.nik import normalize_nik
from programs.models import BenefitType, ContributionRate, Kecamatan, Kelurahan, Program, Segment
from reports.ledger.posting import LEDGER_MODELS
from reports.models import ReportSnapshot, WorkforceEstimate
from tests import factories

pytestmark = pytest.mark.usefixtures("reference_data")

PROJECT_APPS = ("programs", "enrollment", "reports")
PROJECT_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in PROJECT_APPS),
    key=lambda model: model._meta.label,
)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def administrator_client(administrator) -> Client:
    return logged_in(administrator)


@pytest.fixture
def operator_client(operator) -> Client:
    return logged_in(operator)


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def changelist_rows(client: Client, model, **params) -> list:
    response = client.get(admin_url(model, "changelist"), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- Every page of every model --------------------------------------------------------------------------


def _sample_import_batch():
    return ImportBatch.objects.create(source=ImportBatch.Source.ADMIN, file_name="pekerja.csv")


def _sample_employer_user():
    user = User.objects.create_user("employer_sample")
    return factories.link_employer_user(user, factories.make_employer())


def _sample_estimate():
    return WorkforceEstimate.objects.create(
        year=2025, kind=WorkforceEstimate.Kind.EMPLOYED, workers=507_506
    )


def _sample_snapshot():
    return ReportSnapshot.objects.create(report="coverage", period="2025-08")


def _sample_identity_check():
    worker = factories.make_worker()
    return IdentityProofAttempt.objects.create(
        employer=factories.make_employer(),
        nik=worker.nik,
        worker=worker,
        channel="PORTAL",
        outcome=IdentityProofAttempt.Outcome.REFUSED,
        offered_name="Budi",
        start_date=date(2025, 7, 1),
        monthly_wage=3_900_000,
    )


# Models without reference data get one object from these; a new model needs an entry here.
SAMPLES = {
    ImportBatch: _sample_import_batch,
    Employer: factories.make_employer,
    EmployerUser: _sample_employer_user,
    Worker: factories.make_worker,
    Employment: lambda: factories.make_employment(
        factories.make_worker(), factories.make_employer()
    ),
    Membership: lambda: factories.make_membership(factories.make_worker()),
    Claim: lambda: factories.make_claim(factories.make_worker()),
    WorkforceEstimate: _sample_estimate,
    ReportSnapshot: _sample_snapshot,
    PersonalDataChangeRequest: lambda: PersonalDataChangeRequest.objects.create(
        worker=factories.make_worker(name="Andi"),
        employer=factories.make_employer(),
        changes={"name": ["Andi", "Andi Pratama"]},
    ),
    IdentityProofAttempt: _sample_identity_check,
}


def one_object_of(model):
    existing = model._default_manager.first()
    if existing is not None:
        return existing
    assert model in SAMPLES, f"add a sample {model._meta.label} to SAMPLES in tests/test_admin.py"
    return SAMPLES[model]()


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda model: model._meta.label)
def test_it_opens_every_changelist_add_and_change_page_for_the_administrator(
    administrator_client, administrator, model
):
    obj = one_object_of(model)
    request = RequestFactory().get("/admin/")
    request.user = administrator

    assert administrator_client.get(admin_url(model, "changelist")).status_code == 200
    # Read-only models (import batches, report snapshots) refuse the add page to everyone.
    add_status = 200 if admin.site._registry[model].has_add_permission(request) else 403
    assert administrator_client.get(admin_url(model, "add")).status_code == add_status
    assert administrator_client.get(admin_url(model, "change", obj.pk)).status_code == 200


def test_it_registers_every_model_of_the_project():
    # Audit-history models are read through their record's History button, not registered; the coverage
    # ledger's tables are the database's own bookkeeping (reports.ledger), kept by the coverage_ledger command.
    project_models = {
        model
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
        if not issubclass(model, HistoricalChanges) and model not in LEDGER_MODELS
    }
    assert project_models <= set(PROJECT_MODELS)


# --- Query counts do not grow with the data -------------------------------------------------------------


def add_worker_with_records(employer: Employer, index: int) -> Worker:
    worker = factories.make_worker(name=f"Pekerja {index}", kpj=f"{10_000_000_000 + index}")
    factories.make_employment(worker, employer)
    for program in ("JKK", "JKM"):
        factories.make_membership(worker, program, employer=employer)
    factories.make_claim(worker)
    return worker


def add_rows(count: int) -> None:
    start = Worker.objects.count()
    for index in range(start, start + count):
        add_worker_with_records(factories.make_employer(name=f"PT Usaha {index}"), index)


@pytest.mark.parametrize("model", [Worker, Employer, Employment, Membership, Claim])
def test_it_lists_with_the_same_number_of_queries_for_few_and_many_rows(
    administrator_client, model
):
    url = admin_url(model, "changelist")
    add_rows(2)
    administrator_client.get(url)  # warm up: session, content types
    few = queries_for(administrator_client, url)
    add_rows(8)
    many = queries_for(administrator_client, url)
    assert model._default_manager.count() >= 10
    assert many == few


def test_it_opens_a_worker_page_with_the_same_number_of_queries_for_few_and_many_inline_rows(
    administrator_client,
):
    worker = add_worker_with_records(factories.make_employer(), 0)
    url = admin_url(Worker, "change", worker.pk)
    administrator_client.get(url)
    few = queries_for(administrator_client, url)
    for index in range(4):
        employer = factories.make_employer(name=f"PT Lain {index}")
        factories.make_employment(
            worker, employer, start_date=date(2020, 1, 1), end_date=date(2020, 12, 31)
        )
        factories.make_membership(
            worker,
            "JHT",
            employer=employer,
            start_date=date(2015 + index, 1, 1),
            end_date=date(2015 + index, 12, 31),
        )
        factories.make_claim(worker, employer=employer)
    many = queries_for(administrator_client, url)
    assert worker.employments.count() == 5 and worker.claims.count() == 5
    assert many == few


# --- Search and filters ---------------------------------------------------------------------------------


@pytest.fixture
def andi(reference_data):
    return factories.make_worker(
        nik="7371051203900042", kpj="12345678901", name="Andi Pratama", birth_date=date(1990, 3, 12)
    )


@pytest.fixture
def becce(reference_data):
    return factories.make_worker(
        nik="7371055507850007",
        kpj="98765432109",
        name="Becce Daeng",
        birth_date=date(1985, 7, 15),
        sex="P",
    )


@pytest.mark.parametrize(
    "term",
    ["7371051203900042", "737105120390", "7371 0512 0390 0042", "7371.0512.0390.0042"],
    ids=["full NIK", "NIK prefix", "NIK with spaces", "NIK with dots"],
)
def test_it_finds_a_worker_by_nik(administrator_client, andi, becce, term):
    assert changelist_rows(administrator_client, Worker, q=term) == [andi]


def test_it_finds_a_worker_by_kpj(administrator_client, andi, becce):
    assert changelist_rows(administrator_client, Worker, q="98765432109") == [becce]


def test_it_finds_a_worker_by_part_of_the_name(administrator_client, andi, becce):
    assert changelist_rows(administrator_client, Worker, q="pratama") == [andi]


def test_it_finds_an_employer_by_npp_and_by_name(administrator_client):
    losari = factories.make_employer(npp="20000002", name="CV Losari Jaya")
    mamiri = factories.make_employer(npp="10000001", name="PT Angin Mamiri")
    assert changelist_rows(administrator_client, Employer, q="20000002") == [losari]
    assert changelist_rows(administrator_client, Employer, q="2000") == [losari]
    assert changelist_rows(administrator_client, Employer, q="mamiri") == [mamiri]


def test_it_finds_memberships_employments_and_claims_by_the_workers_nik(
    administrator_client, andi, becce
):
    employer = factories.make_employer()
    factories.make_employment(andi, employer)
    factories.make_employment(becce, employer)
    factories.make_membership(andi)
    factories.make_membership(becce)
    claim = factories.make_claim(andi)
    factories.make_claim(becce)

    for model in (Employment, Membership, Claim):
        rows = changelist_rows(administrator_client, model, q=andi.nik)
        assert [row.worker for row in rows] == [andi], model
    assert changelist_rows(administrator_client, Claim, q=claim.reference.lower()) == [claim]


def test_it_finds_employments_by_the_employers_npp_or_the_workers_nik(
    administrator_client, andi, becce
):
    mamiri = factories.make_employer(npp="10000001")
    losari = factories.make_employer(npp="20000002")
    at_mamiri = factories.make_employment(andi, mamiri)
    at_losari = factories.make_employment(becce, losari)
    assert changelist_rows(administrator_client, Employment, q="10000001") == [at_mamiri]
    assert changelist_rows(administrator_client, Employment, q=becce.nik) == [at_losari]


def test_it_filters_workers_by_segment_once_each_however_many_memberships(
    administrator_client, andi, becce
):
    religious = Segment.objects.get(code="KEAGAMAAN")
    for program in ("JKK", "JKM"):
        factories.make_membership(andi, program, segment=religious)
        factories.make_membership(becce, program)  # formal employee
    assert changelist_rows(administrator_client, Worker, segment=religious.pk) == [andi]
    assert changelist_rows(administrator_client, Worker, segment_group="PUBLIC_SERVICE") == [andi]
    assert changelist_rows(administrator_client, Worker, segment_group="FORMAL") == [becce]


def test_it_filters_workers_by_segment_group_through_the_segments_index_of_memberships(
    administrator_client, andi
):
    """The group's segments are read first, so the memberships' subquery joins no segment table and the
    (segment, worker) index serves it: with the join PostgreSQL read every membership (decision 48)."""
    with CaptureQueriesContext(connection) as queries:
        changelist_rows(administrator_client, Worker, segment_group="PUBLIC_SERVICE")
    membership_queries = [
        query["sql"]
        for query in queries.captured_queries
        if '"enrollment_membership"' in query["sql"]
    ]
    assert membership_queries
    assert not any('"programs_segment"' in sql for sql in membership_queries)


def test_it_filters_workers_and_employers_by_kecamatan(administrator_client):
    first, second = Kecamatan.objects.order_by("code")[:2]
    here = Kelurahan.objects.filter(kecamatan=first).first()
    there = Kelurahan.objects.filter(kecamatan=second).first()
    worker_here = factories.make_worker(kelurahan=here)
    factories.make_worker(kelurahan=there)
    factories.make_worker(kelurahan=None)
    employer_there = factories.make_employer(kelurahan=there)
    factories.make_employer(kelurahan=here)

    assert changelist_rows(
        administrator_client, Worker, kelurahan__kecamatan__id__exact=first.pk
    ) == [worker_here]
    assert changelist_rows(
        administrator_client, Employer, kelurahan__kecamatan__id__exact=second.pk
    ) == [employer_there]


def test_it_links_an_employer_to_its_roster_instead_of_listing_it(administrator_client):
    employer = factories.make_employer()
    on_roster = factories.make_employment(factories.make_worker(), employer)
    factories.make_employment(
        factories.make_worker(), employer, end_date=date(2024, 6, 30), termination_reason="RESIGNED"
    )
    response = administrator_client.get(admin_url(Employer, "change", employer.pk))
    roster_url = (
        f"{admin_url(Employment, 'changelist')}?employer__id__exact={employer.pk}&amp;state=active"
    )
    assert roster_url in response.content.decode()
    assert "employments-TOTAL_FORMS" not in response.content.decode()

    roster = changelist_rows(
        administrator_client, Employment, employer__id__exact=employer.pk, state="active"
    )
    assert roster == [on_roster]


def test_it_shows_money_in_rupiah(administrator_client):
    factories.make_employment(factories.make_worker(), factories.make_employer())
    response = administrator_client.get(admin_url(Employment, "changelist"))
    assert "Rp3.900.000" in response.content.decode()


def fieldset_names(response) -> list[str]:
    return [
        name
        for fieldset in response.context["adminform"]
        for line in fieldset
        for field in line
        for name in [field.field["name"] if isinstance(field.field, dict) else field.field.name]
    ]


def test_a_key_is_no_money_and_an_editable_amount_is_not_shown_twice(administrator_client):
    """The formatted column replaces a money field shown read-only; it is never one more field: a program's
    key is no amount (it read "ID: Rp1"), and the rate form's editable amounts had read-only copies below."""
    program = Program.objects.order_by("pk").first()
    page = administrator_client.get(admin_url(Program, "change", program.pk))
    assert page.status_code == 200
    assert not [name for name in fieldset_names(page) if name.endswith("_formatted")]
    add_rate = administrator_client.get(reverse("admin:programs_contributionrate_add"))
    names = fieldset_names(add_rate)
    assert "fixed_amount" in names
    assert not [name for name in names if name.endswith("_formatted")]


# --- The worker form ------------------------------------------------------------------------------------

INLINE_PREFIXES = ("employments", "memberships", "claims")


def worker_form_data(**overrides) -> dict:
    data = {
        "nik": "7371051203900042",
        "kpj": "",
        "name": "Andi Pratama",
        "birth_date": "1990-03-12",
        "sex": "L",
        "phone": "",
        "address": "",
        "kelurahan": str(Kelurahan.objects.order_by("code").first().pk),
        "occupation": "Pedagang",
        "dtsen_decile": "",
        "seen_version": "1",  # the version the change page shows of a worker saved once
    }
    for prefix in INLINE_PREFIXES:
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    data.update(overrides)
    return data


def form_errors(response) -> dict[str, list[ValidationError]]:
    assert response.status_code == 200, "the form was accepted"
    return response.context["adminform"].form.errors.as_data()


def all_messages(errors: dict[str, list[ValidationError]]) -> list[str]:
    return [message for field_errors in errors.values() for e in field_errors for message in e]


def in_indonesian(message: str) -> str:
    """What the (Indonesian by default) admin shows for an English message id."""
    with translation.override("id"):
        return translation.gettext(message)


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        ("737105120390004", "nik_length"),
        ("73710512039000421", "nik_length"),
        ("7371O51203900042", "nik_not_digits"),
        ("7371053102900042", "nik_birth_date"),
        ("7371051203900000", "nik_serial"),
        ("7.37105E+15", "nik_scientific"),
    ],
    ids=["15 digits", "17 digits", "a letter", "31 February", "serial 0000", "scientific notation"],
)
def test_it_refuses_an_invalid_nik_with_the_message_of_the_nik_rules(
    administrator_client, nik, code
):
    with translation.override("id"), pytest.raises(ValidationError) as expected:
        normalize_nik(nik)
    assert expected.value.code == code

    response = administrator_client.post(admin_url(Worker, "add"), worker_form_data(nik=nik))

    assert all_messages({"nik": form_errors(response)["nik"]}) == expected.value.messages
    assert not Worker.objects.exists()


def test_it_stores_a_nik_typed_with_spaces_or_dots_as_16_digits(administrator_client):
    response = administrator_client.post(
        admin_url(Worker, "add"), worker_form_data(nik="7371 0512.0390-0042")
    )
    assert response.status_code == 302
    worker = Worker.objects.get()
    assert worker.nik == "7371051203900042"
    assert worker.entered_via == Channel.ADMIN


@pytest.mark.parametrize(
    "overrides",
    [{"birth_date": "1991-03-12"}, {"sex": "P"}],
    ids=["birth date", "sex"],
)
def test_it_refuses_a_record_that_disagrees_with_its_nik_until_the_operator_confirms(
    operator_client, overrides
):
    url = admin_url(Worker, "add")
    response = operator_client.post(url, worker_form_data(**overrides))
    assert "NIK menunjukkan" in all_messages(form_errors(response))[0]
    assert not Worker.objects.exists()

    response = operator_client.post(url, worker_form_data(keep_as_entered="on", **overrides))
    assert response.status_code == 302
    assert Worker.objects.get().nik == "7371051203900042"


def test_it_lets_an_old_disagreement_with_the_nik_stand_when_other_fields_are_edited(
    operator_client,
):
    imported = factories.make_worker(nik="7371051203900042", birth_date=date(1991, 3, 12))
    data = worker_form_data(birth_date="1991-03-12", phone="081234567890")
    response = operator_client.post(admin_url(Worker, "change", imported.pk), data)
    assert response.status_code == 302
    imported.refresh_from_db()
    assert imported.phone == "081234567890"


def test_it_refuses_a_birth_date_in_the_future(administrator_client):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = administrator_client.post(
        admin_url(Worker, "add"), worker_form_data(birth_date=tomorrow.isoformat())
    )
    assert "birth_date" in form_errors(response)
    assert not Worker.objects.exists()


def test_it_stores_a_blank_kpj_as_null_and_refuses_letters(administrator_client):
    url = admin_url(Worker, "add")
    response = administrator_client.post(url, worker_form_data(kpj="KPJ-123"))
    assert "kpj" in form_errors(response)

    response = administrator_client.post(url, worker_form_data(kpj="  "))
    assert response.status_code == 302
    assert Worker.objects.get().kpj is None


def test_it_warns_about_an_unusual_kpj_length_but_saves(administrator_client):
    response = administrator_client.post(
        admin_url(Worker, "add"), worker_form_data(kpj="123456789"), follow=True
    )
    assert Worker.objects.get().kpj == "123456789"
    [warning] = [m for m in response.context["messages"] if m.level_tag == "warning"]
    assert "123456789" in str(warning)


# --- Model constraints surface as form errors -----------------------------------------------------------


def employment_form_data(worker: Worker, employer: Employer, **overrides) -> dict:
    data = {
        "worker": str(worker.pk),
        "employer": str(employer.pk),
        "start_date": "2025-01-01",
        "end_date": "",
        "termination_reason": "",
        "monthly_wage": "3900000",
        "seen_version": "1",  # the version the change page shows of an employment saved once
    }
    data.update(overrides)
    return data


def test_it_explains_a_correction_the_service_refuses_and_changes_nothing(operator_client):
    worker, employer = factories.make_worker(), factories.make_employer()
    employment = factories.make_employment(
        worker, employer, end_date=date(2024, 12, 31), termination_reason="RESIGNED"
    )
    response = operator_client.post(
        admin_url(Employment, "change", employment.pk),
        employment_form_data(worker, employer, start_date="2025-01-01"),
    )
    assert in_indonesian("The end date cannot be before the start date.") in all_messages(
        form_errors(response)
    )
    employment.refresh_from_db()
    assert employment.start_date == date(2024, 1, 1)
    assert employment.history.count() == 1  # its creation only


ALREADY_ON_ROSTER = "This worker is already on this employer's roster."


def test_it_explains_a_second_open_employment_with_the_same_employer(administrator_client):
    worker, employer = factories.make_worker(), factories.make_employer()
    factories.make_employment(worker, employer)
    response = administrator_client.post(
        admin_url(Employment, "add"), employment_form_data(worker, employer)
    )
    assert in_indonesian(ALREADY_ON_ROSTER) in all_messages(form_errors(response))
    assert Employment.objects.count() == 1


# --- Employments, memberships and claims change through the services only -------------------------------


def test_it_adds_an_employment_through_the_service_and_ignores_a_typed_end(
    operator, operator_client
):
    worker, employer = factories.make_worker(), factories.make_employer()
    response = operator_client.post(
        admin_url(Employment, "add"),
        employment_form_data(
            worker, employer, end_date="2025-06-30", termination_reason="RESIGNED"
        ),
    )
    assert response.status_code == 302
    employment = Employment.objects.get()
    assert (employment.end_date, employment.termination_reason) == (None, "")
    hire = employment.history.get()
    # hire_worker names the employer in the audit record; a plain admin save does not
    assert (hire.history_user, hire.history_channel, hire.history_employer_id) == (
        operator,
        Channel.ADMIN,
        employer.pk,
    )


def test_it_corrects_an_employment_but_does_not_let_a_typed_end_date_through(operator_client):
    worker, employer = factories.make_worker(), factories.make_employer()
    employment = factories.make_employment(worker, employer)
    membership = factories.make_membership(worker, employer=employer, start_date=date(2024, 3, 1))
    response = operator_client.post(
        admin_url(Employment, "change", employment.pk),
        employment_form_data(
            worker,
            employer,
            start_date="2024-02-01",
            monthly_wage="4100000",
            end_date="2025-06-30",
            termination_reason="DISMISSED",
            worker_id="",
        ),
    )
    assert response.status_code == 302
    employment.refresh_from_db()
    membership.refresh_from_db()
    assert (employment.start_date, employment.monthly_wage, employment.end_date) == (
        date(2024, 2, 1),
        4_100_000,
        None,
    )
    assert (employment.termination_reason, membership.end_date) == ("", None)
    assert employment.history.latest().history_employer_id == employer.pk


def rate_in_force(program: str, kind: str, risk_class: int | None) -> Decimal:
    return ContributionRate.objects.get(
        program__code=program, segment_kind=kind, risk_class=risk_class, valid_to__isnull=True
    ).percent_of_wage


def enrolment_form_data(worker: Worker, segment_code: str, programs, **overrides) -> dict:
    segment = Segment.objects.get(code=segment_code)
    return {
        "worker": str(worker.pk),
        "programs": [str(p.pk) for p in Program.objects.filter(code__in=programs)],
        "segment": str(segment.pk),
        "funding_scheme": str(segment.default_funding_scheme.pk),
        "employer": "",
        "start_date": "2025-01-01",
        **overrides,
    }


def test_it_enrols_in_the_admin_with_the_contribution_of_the_rate_table(operator, operator_client):
    worker, employer = factories.make_worker(), factories.make_employer(risk_class=3)
    factories.make_employment(worker, employer)
    data = enrolment_form_data(
        worker,
        "FORMAL",
        ["JKK", "JKM"],
        employer=str(employer.pk),
        wage="5000000",
        monthly_contribution="1",  # forged: not a field of the form
    )
    response = operator_client.post(admin_url(Membership, "add"), data)
    assert response.status_code == 302
    contributions = dict(worker.memberships.values_list("program__code", "monthly_contribution"))
    assert contributions == {
        "JKK": round(5_000_000 * rate_in_force("JKK", "PU", 3) / 100),
        "JKM": round(5_000_000 * rate_in_force("JKM", "PU", None) / 100),
    }
    record = worker.memberships.get(program__code="JKK").history.get()
    assert (record.history_user, record.history_channel) == (operator, Channel.ADMIN)


def test_it_refuses_an_enrolment_the_service_refuses_and_writes_nothing(operator_client):
    data = enrolment_form_data(factories.make_worker(), "RT_RW", ["JKK", "JP"], wage="1000000")
    response = operator_client.post(admin_url(Membership, "add"), data)
    [message] = all_messages(form_errors(response))
    assert message.startswith("JP hanya untuk pekerja penerima upah")
    assert not Membership.objects.exists()


def claim_form_data(worker: Worker, **overrides) -> dict:
    data = {
        "reference": "KLM-2025-0001",
        "worker": str(worker.pk),
        "benefit_type": str(BenefitType.objects.get(code="JKK").pk),
        "incident_date": "2025-03-01",
        "submitted_date": "2025-03-05",
        "amount": "2500000",
        "status": "PAID",  # forged: a new claim is submitted
        "paid_date": "2025-03-10",  # forged
    }
    data.update(overrides)
    return data


def test_it_records_a_new_claim_as_submitted_through_the_service(operator, operator_client):
    worker = factories.make_worker()
    factories.make_membership(worker, "JKK")
    response = operator_client.post(admin_url(Claim, "add"), claim_form_data(worker))
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert (claim.status, claim.paid_date, claim.amount) == ("SUBMITTED", None, 2_500_000)
    assert claim.history.get().history_user == operator


@pytest.mark.parametrize(
    ("model", "make", "forged"),
    [
        (
            Membership,
            lambda worker: factories.make_membership(worker),
            {"end_date": "2025-06-30", "monthly_contribution": "1"},
        ),
        (
            Claim,
            lambda worker: factories.make_claim(worker, status="VERIFIED"),
            {"status": "SUBMITTED", "paid_date": "2025-02-01", "amount": "1"},
        ),
        (
            Claim,
            lambda worker: factories.make_claim(worker, status="PAID", paid_date=date(2025, 2, 1)),
            {"status": "SUBMITTED", "paid_date": ""},
        ),
    ],
    ids=["membership", "verified claim", "paid claim"],
)
def test_it_shows_saved_memberships_and_claims_read_only_and_refuses_a_forged_change(
    operator_client, model, make, forged
):
    obj = make(factories.make_worker())
    before = model.objects.values().get()
    versions = obj.history.count()
    url = admin_url(model, "change", obj.pk)
    page = operator_client.get(url).content.decode()
    assert 'name="_save"' not in page

    assert operator_client.post(url, forged).status_code == 403
    assert model.objects.values().get() == before
    assert obj.history.count() == versions


def test_it_lists_a_workers_records_read_only_and_ignores_a_forged_inline_formset(
    administrator_client,
):
    worker, employer = factories.make_worker(), factories.make_employer()
    other_employer = factories.make_employer()
    employment = factories.make_employment(worker, employer)
    membership = factories.make_membership(worker, employer=employer)
    claim = factories.make_claim(worker)
    url = admin_url(Worker, "change", worker.pk)
    page = administrator_client.get(url).content.decode()
    for record in (employment, membership, claim):
        assert admin_url(type(record), "change", record.pk) in page
    assert 'name="employments-0-end_date"' not in page
    assert 'name="employments-0-DELETE"' not in page

    before = [list(model.objects.values()) for model in (Employment, Membership, Claim)]
    data = worker_form_data(
        nik=worker.nik,
        birth_date=worker.birth_date.isoformat(),
        **{
            "employments-TOTAL_FORMS": "2",
            "employments-INITIAL_FORMS": "1",
            "employments-0-id": str(employment.pk),
            "employments-0-worker": str(worker.pk),
            "employments-0-employer": str(employer.pk),
            "employments-0-start_date": "2024-01-01",
            "employments-0-end_date": "2025-06-30",
            "employments-0-termination_reason": "DISMISSED",
            "employments-0-monthly_wage": "1",
            "employments-1-worker": str(worker.pk),
            "employments-1-employer": str(other_employer.pk),
            "employments-1-start_date": "2025-02-01",
            "employments-1-monthly_wage": "4000000",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": str(membership.pk),
            "memberships-0-worker": str(worker.pk),
            "memberships-0-program": str(membership.program_id),
            "memberships-0-segment": str(membership.segment_id),
            "memberships-0-funding_scheme": str(membership.funding_scheme_id),
            "memberships-0-employer": str(employer.pk),
            "memberships-0-start_date": "2024-01-01",
            "memberships-0-end_date": "2025-06-30",
            "memberships-0-monthly_contribution": "1",
            "claims-TOTAL_FORMS": "1",
            "claims-INITIAL_FORMS": "1",
            "claims-0-id": str(claim.pk),
            "claims-0-worker": str(worker.pk),
            "claims-0-reference": claim.reference,
            "claims-0-benefit_type": str(claim.benefit_type_id),
            "claims-0-segment": str(claim.segment_id),
            "claims-0-employer": "",
            "claims-0-incident_date": "2025-01-10",
            "claims-0-submitted_date": "2025-01-15",
            "claims-0-paid_date": "2025-02-01",
            "claims-0-amount": "1",
            "claims-0-status": "PAID",
        },
    )
    response = administrator_client.post(url, data)
    assert response.status_code == 302
    after = [list(model.objects.values()) for model in (Employment, Membership, Claim)]
    assert after == before


def test_it_shows_the_history_button_only_to_those_who_may_read_the_history(
    operator_client, administrator_client
):
    claim = factories.make_claim(factories.make_worker())
    history_url = admin_url(Claim, "history", claim.pk)
    change_url = admin_url(Claim, "change", claim.pk)
    assert history_url not in operator_client.get(change_url).content.decode()
    assert history_url in administrator_client.get(change_url).content.decode()
    assert administrator_client.get(history_url).status_code == 200


def test_it_lets_administrators_read_past_versions_but_not_restore_them(administrator_client):
    worker = factories.make_worker()
    claim = factories.make_claim(worker)
    services.advance_claim(claim, Claim.Status.VERIFIED, acting_user=None, channel=Channel.ADMIN)
    version = claim.history.earliest()
    url = reverse("admin:enrollment_claim_simple_history", args=(claim.pk, version.history_id))
    assert administrator_client.get(url).status_code == 200
    assert administrator_client.post(url, claim_form_data(worker)).status_code == 403
    claim.refresh_from_db()
    assert claim.status == Claim.Status.VERIFIED


# --- Who may do what ------------------------------------------------------------------------------------


def test_it_lets_an_operator_add_and_change_a_worker(operator_client):
    response = operator_client.post(admin_url(Worker, "add"), worker_form_data())
    assert response.status_code == 302
    worker = Worker.objects.get()

    response = operator_client.post(
        admin_url(Worker, "change", worker.pk), worker_form_data(name="Andi P. Daeng")
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.name == "Andi P. Daeng"


def test_it_gives_an_operator_no_way_to_delete(operator_client):
    worker = factories.make_worker()
    change_page = operator_client.get(admin_url(Worker, "change", worker.pk)).content.decode()
    assert admin_url(Worker, "delete", worker.pk) not in change_page
    changelist = operator_client.get(admin_url(Worker, "changelist")).content.decode()
    assert "delete_selected" not in changelist

    assert operator_client.get(admin_url(Worker, "delete", worker.pk)).status_code == 403
    assert (
        operator_client.post(admin_url(Worker, "delete", worker.pk), {"post": "yes"}).status_code
        == 403
    )
    assert Worker.objects.filter(pk=worker.pk).exists()


def test_it_keeps_an_operator_out_of_user_management(operator_client, employer_a_user, employer_a):
    assert operator_client.get(admin_url(User, "changelist")).status_code == 403
    assert operator_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert operator_client.get(reverse("admin:enrollment_employeruser_add")).status_code == 403

    employer_page = operator_client.get(admin_url(Employer, "change", employer_a.pk))
    assert employer_page.status_code == 200
    assert employer_a_user.username in employer_page.content.decode()
    assert 'name="user_links-0-user"' not in employer_page.content.decode()


def test_it_records_who_changed_a_worker_in_the_admin_and_shows_it_to_administrators_only(
    operator, operator_client, administrator_client
):
    response = operator_client.post(admin_url(Worker, "add"), worker_form_data())
    assert response.status_code == 302
    worker = Worker.objects.get()
    record = worker.history.get()
    assert (record.history_user, record.history_channel) == (operator, Channel.ADMIN)

    history_url = admin_url(Worker, "history", worker.pk)
    assert operator_client.get(history_url).status_code == 403
    response = administrator_client.get(history_url)
    assert response.status_code == 200
    assert operator.username in response.content.decode()


def test_it_keeps_import_batches_and_report_snapshots_read_only(administrator_client):
    batch = _sample_import_batch()
    response = administrator_client.get(admin_url(ImportBatch, "change", batch.pk))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert (
        administrator_client.post(admin_url(ImportBatch, "change", batch.pk), {}).status_code == 403
    )
    assert administrator_client.get(admin_url(ReportSnapshot, "add")).status_code == 403


@pytest.mark.parametrize("persona", ["manager", "employer_a_user"])
def test_it_sends_managers_and_employers_to_the_admin_login(request, persona):
    client = logged_in(request.getfixturevalue(persona))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
