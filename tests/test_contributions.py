"""Contributions as the regulations give them, proven against values computed by hand (never by the code).

Each row of CASES is one worker on one day: the expected amount and split were worked out by hand from the
regulation named beside it (rounding: each share half up to a whole Rupiah, the amount their sum).
Every row goes through the three doors that compute a contribution: the calculator (``programs.calculator``),
the ``contribution`` command (JSON) and ``enrol_worker``.
"""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from berjasa.audit import Channel
from enrollment import services
from enrollment.models import Membership
from enrollment.services.contributions import recompute_contributions
from programs.calculator import quote
from programs.models import ContributionRate, FundingScheme, Program, Segment
from tests import factories

pytestmark = pytest.mark.usefixtures("reference_data")

PU, NON_ASN, RENTAN = "FORMAL", "NON_ASN", "RENTAN"
JKK_PU = "PP 44/2015 Lampiran I"
JKM_PU = "PP 44/2015 (JKM 0,30 % upah)"
JHT_PU = "PP 46/2015 Pasal 16 (3,7 % + 2 %)"
JP = "PP 45/2015 Pasal 28 (2 % + 1 %), Pasal 29 (batas upah)"
JKP_2021 = "PP 37/2021 Pasal 11 (0,46 %, upah paling tinggi Rp5.000.000)"
JKP_2025 = "PP 6/2025 Pasal 11 (0,36 %, upah paling tinggi Rp5.000.000)"
JKK_BPU = "PP 44/2015 Lampiran II; Permenaker 5/2021 (1 %, Rp10.000 s.d. Rp207.000)"
JKM_BPU = "PP 44/2015 (JKM Rp6.800)"
JHT_BPU = "PP 46/2015; Permenaker 5/2021 (2 %, paling sedikit Rp20.000)"
REFUSED = None

# program, segment, funding (None: the segment's), risk class (the employer's), wage, day,
# expected (employer, worker, government) or REFUSED, regulation and how the figure was computed.
CASES = [
    # Wage earners, JKK by risk class: 4,000,000 x rate.
    ("JKK", PU, None, 1, 4_000_000, date(2025, 8, 1), (9_600, 0, 0), f"{JKK_PU}: 0,24 %"),
    ("JKK", PU, None, 2, 4_000_000, date(2025, 8, 1), (21_600, 0, 0), f"{JKK_PU}: 0,54 %"),
    ("JKK", PU, None, 3, 4_000_000, date(2025, 8, 1), (35_600, 0, 0), f"{JKK_PU}: 0,89 %"),
    ("JKK", PU, None, 4, 4_000_000, date(2025, 8, 1), (50_800, 0, 0), f"{JKK_PU}: 1,27 %"),
    ("JKK", PU, None, 5, 4_000_000, date(2025, 8, 1), (69_600, 0, 0), f"{JKK_PU}: 1,74 %"),
    ("JKK", PU, None, 1, 4_000_000, date(2015, 6, 30), REFUSED, "PP 44/2015 in force 1-7-2015"),
    ("JKM", PU, None, 1, 4_000_000, date(2025, 8, 1), (12_000, 0, 0), JKM_PU),
    ("JHT", PU, None, 1, 4_000_000, date(2025, 8, 1), (148_000, 80_000, 0), JHT_PU),
    # 3.7 % of 4,321,987 = 159,913.52 -> 159,914; 2 % = 86,439.74 -> 86,440 (5.7 % whole would be 246,353).
    ("JHT", PU, None, 1, 4_321_987, date(2025, 8, 1), (159_914, 86_440, 0), JHT_PU),
    # JP: 2 % and 1 % of the wage capped at the cap in force (wage 10,000,000 / 20,000,000).
    ("JP", PU, None, 1, 10_000_000, date(2015, 6, 30), REFUSED, "PP 45/2015: JP from 1-7-2015"),
    ("JP", PU, None, 1, 10_000_000, date(2015, 7, 1), (140_000, 70_000, 0), f"{JP}: 7.000.000"),
    ("JP", PU, None, 1, 10_000_000, date(2016, 2, 29), (140_000, 70_000, 0), f"{JP}: 7.000.000"),
    ("JP", PU, None, 1, 10_000_000, date(2016, 3, 1), (146_706, 73_353, 0), f"{JP}: 7.335.300"),
    ("JP", PU, None, 1, 10_000_000, date(2017, 2, 28), (146_706, 73_353, 0), f"{JP}: 7.335.300"),
    ("JP", PU, None, 1, 10_000_000, date(2017, 3, 1), (154_070, 77_035, 0), f"{JP}: 7.703.500"),
    ("JP", PU, None, 1, 10_000_000, date(2018, 2, 28), (154_070, 77_035, 0), f"{JP}: 7.703.500"),
    ("JP", PU, None, 1, 10_000_000, date(2018, 3, 1), (161_880, 80_940, 0), f"{JP}: 8.094.000"),
    ("JP", PU, None, 1, 10_000_000, date(2019, 2, 28), (161_880, 80_940, 0), f"{JP}: 8.094.000"),
    ("JP", PU, None, 1, 10_000_000, date(2019, 3, 1), (170_248, 85_124, 0), f"{JP}: 8.512.400"),
    ("JP", PU, None, 1, 10_000_000, date(2020, 2, 29), (170_248, 85_124, 0), f"{JP}: 8.512.400"),
    ("JP", PU, None, 1, 10_000_000, date(2020, 3, 1), (178_794, 89_397, 0), f"{JP}: 8.939.700"),
    ("JP", PU, None, 1, 10_000_000, date(2021, 2, 28), (178_794, 89_397, 0), f"{JP}: 8.939.700"),
    ("JP", PU, None, 1, 10_000_000, date(2021, 3, 1), (175_092, 87_546, 0), f"{JP}: 8.754.600"),
    ("JP", PU, None, 1, 10_000_000, date(2022, 2, 28), (175_092, 87_546, 0), f"{JP}: 8.754.600"),
    ("JP", PU, None, 1, 10_000_000, date(2022, 3, 1), (181_552, 90_776, 0), f"{JP}: 9.077.600"),
    ("JP", PU, None, 1, 10_000_000, date(2023, 2, 28), (181_552, 90_776, 0), f"{JP}: 9.077.600"),
    ("JP", PU, None, 1, 10_000_000, date(2023, 3, 1), (191_192, 95_596, 0), f"{JP}: 9.559.600"),
    ("JP", PU, None, 1, 20_000_000, date(2024, 2, 29), (191_192, 95_596, 0), f"{JP}: 9.559.600"),
    ("JP", PU, None, 1, 20_000_000, date(2024, 3, 1), (200_846, 100_423, 0), f"{JP}: 10.042.300"),
    ("JP", PU, None, 1, 20_000_000, date(2025, 2, 28), (200_846, 100_423, 0), f"{JP}: 10.042.300"),
    ("JP", PU, None, 1, 20_000_000, date(2025, 3, 1), (210_948, 105_474, 0), f"{JP}: 10.547.400"),
    ("JP", PU, None, 1, 4_000_000, date(2025, 8, 1), (80_000, 40_000, 0), f"{JP}: below the cap"),
    # JKP: the government's, on the wage capped at 5,000,000.
    ("JKP", PU, None, 1, 10_000_000, date(2021, 2, 1), REFUSED, "PP 37/2021 from 2-2-2021"),
    ("JKP", PU, None, 1, 10_000_000, date(2021, 2, 2), (0, 0, 23_000), JKP_2021),
    ("JKP", PU, None, 1, 4_000_000, date(2025, 2, 6), (0, 0, 18_400), JKP_2021),
    ("JKP", PU, None, 1, 4_000_000, date(2025, 2, 7), (0, 0, 14_400), JKP_2025),
    ("JKP", PU, None, 1, 20_000_000, date(2025, 8, 1), (0, 0, 18_000), JKP_2025),
    # Non-wage earners paid by the city (APBD): the government's share.
    ("JKK", RENTAN, None, None, 500_000, date(2025, 8, 1), (0, 0, 10_000), f"{JKK_BPU}: minimum"),
    ("JKK", RENTAN, None, None, 1_000_000, date(2025, 8, 1), (0, 0, 10_000), JKK_BPU),
    ("JKK", RENTAN, None, None, 2_500_000, date(2025, 8, 1), (0, 0, 25_000), JKK_BPU),
    ("JKK", RENTAN, None, None, 20_700_000, date(2025, 8, 1), (0, 0, 207_000), f"{JKK_BPU}: top"),
    ("JKK", RENTAN, None, None, 30_000_000, date(2025, 8, 1), (0, 0, 207_000), f"{JKK_BPU}: max"),
    ("JKM", RENTAN, None, None, 1_000_000, date(2025, 8, 1), (0, 0, 6_800), JKM_BPU),
    ("JHT", RENTAN, None, None, 500_000, date(2025, 8, 1), (0, 0, 20_000), f"{JHT_BPU}: minimum"),
    ("JHT", RENTAN, None, None, 1_000_000, date(2025, 8, 1), (0, 0, 20_000), JHT_BPU),
    ("JHT", RENTAN, None, None, 3_000_000, date(2025, 8, 1), (0, 0, 60_000), JHT_BPU),
    ("JP", RENTAN, None, None, 3_000_000, date(2025, 8, 1), REFUSED, "PP 45/2015: wage earners"),
    ("JKP", RENTAN, None, None, 3_000_000, date(2025, 8, 1), REFUSED, "PP 37/2021: wage earners"),
    # A non-wage earner who pays for themselves (mandiri).
    ("JKK", RENTAN, "MANDIRI", None, 1_500_000, date(2025, 8, 1), (0, 15_000, 0), JKK_BPU),
    ("JKM", RENTAN, "MANDIRI", None, 1_500_000, date(2025, 8, 1), (0, 6_800, 0), JKM_BPU),
    # City-funded wage earners (non-ASN, APBD): the city's risk class 1; the city pays the employer's part.
    ("JKK", NON_ASN, None, None, 3_000_000, date(2025, 8, 1), (0, 0, 7_200), f"{JKK_PU}: 0,24 %"),
    ("JKM", NON_ASN, None, None, 3_000_000, date(2025, 8, 1), (0, 0, 9_000), JKM_PU),
    ("JHT", NON_ASN, None, None, 3_000_000, date(2025, 8, 1), (0, 60_000, 111_000), JHT_PU),
    (
        "JP",
        NON_ASN,
        None,
        None,
        3_000_000,
        date(2019, 5, 1),
        (0, 30_000, 60_000),
        f"{JP}: 8.512.400",
    ),
]
CASE_IDS = [f"{c[0]}-{c[1]}-{c[2] or ''}-{c[3] or ''}-{c[4]}-{c[5]}" for c in CASES]


def _funding(segment, code):
    return FundingScheme.objects.get(code=code) if code else segment.default_funding_scheme


def test_the_table_has_at_least_thirty_cases_per_kind_of_rule():
    assert len(CASES) >= 30
    assert (
        len([case for case in CASES if case[0] == "JP"]) >= 20
    )  # every cap, day before and day of


@pytest.mark.parametrize(
    ("program", "segment", "funding", "risk", "wage", "day", "split", "basis"), CASES, ids=CASE_IDS
)
def test_each_case_through_the_calculator_the_command_and_the_enrolment(
    program, segment, funding, risk, wage, day, split, basis
):
    segment = Segment.objects.select_related("default_funding_scheme").get(code=segment)
    scheme = _funding(segment, funding)
    [answer] = quote([program], segment, wage, day, risk_class=risk, funding_scheme=scheme)
    argv = ["--programs", program, "--segment", segment.code, "--wage", str(wage)]
    argv += ["--date", day.isoformat(), "--format", "json"]
    argv += ["--risk-class", str(risk)] if risk else []
    argv += ["--funding", funding] if funding else []
    out = StringIO()
    call_command("contribution", *argv, stdout=out)
    [row] = json.loads(out.getvalue())["programs"]
    employer = factories.make_employer(risk_class=risk) if segment.code == PU else None
    request = services.EnrolmentRequest(
        programs=[Program.objects.get(code=program)],
        segment=segment,
        funding_scheme=scheme,
        start_date=day,
        wage=wage,
        employer=employer,
    )
    if split is REFUSED:
        assert answer.contribution is None and answer.refused, basis
        assert row["refused"]
        with pytest.raises(ValidationError):
            services.enrol_worker(
                factories.make_worker(), request, acting_user=None, channel=Channel.ADMIN
            )
        return
    c = answer.contribution
    assert (c.employer, c.worker, c.government) == split, basis
    assert c.amount == sum(split)
    assert (row["employer"], row["worker"], row["government"], row["amount"]) == (
        *split,
        sum(split),
    )
    worker = factories.make_worker()
    if employer is not None:  # a membership through an employer starts within a job with it
        factories.make_employment(worker, employer, start_date=day)
    [membership] = services.enrol_worker(worker, request, acting_user=None, channel=Channel.ADMIN)
    stored = (membership.employer_share, membership.worker_share, membership.government_share)
    assert stored == split and membership.monthly_contribution == sum(split), basis
    assert membership.wage == wage


def test_the_json_contract_of_the_command():
    out = StringIO()
    argv = ["--programs", "JP,JKP", "--segment", PU, "--wage", "20000000", "--date", "2025-08-01"]
    call_command("contribution", *argv, "--risk-class", "1", "--format", "json", stdout=out)
    result = json.loads(out.getvalue())
    jp, jkp = result["programs"]
    assert {k: jp[k] for k in ("program", "amount", "employer", "worker", "government", "base", "rate")} == {
        "program": "JP", "amount": 316_422, "employer": 210_948, "worker": 105_474, "government": 0,
        "base": 10_547_400, "rate": "3.00",
    }  # fmt: skip
    assert jkp["government"] == 18_000 and jkp["employer"] == 0
    assert (result["employer_total"], result["worker_total"]) == (210_948, 105_474)
    out = StringIO()
    argv = ["--programs", "JP", "--segment", RENTAN, "--wage", "1", "--date", "2025-08-01"]
    call_command("contribution", *argv, "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["programs"] == [
        {"program": "JP", "refused": "JP hanya untuk pekerja penerima upah."}
    ]


def test_a_back_dated_jp_enrolment_in_2019_takes_that_years_cap():
    segment = Segment.objects.get(code=PU)
    request = services.EnrolmentRequest(
        programs=[Program.objects.get(code="JP")],
        segment=segment,
        funding_scheme=segment.default_funding_scheme,
        start_date=date(2019, 6, 1),
        wage=9_000_000,
        employer=factories.make_employer(),
    )
    worker = factories.make_worker()
    factories.make_employment(worker, request.employer, start_date=date(2019, 6, 1))
    [jp] = services.enrol_worker(worker, request, acting_user=None, channel=Channel.ADMIN)
    assert (jp.employer_share, jp.worker_share) == (170_248, 85_124)  # 2 % and 1 % of 8,512,400


def test_a_city_funded_wage_earner_without_employer_is_enrolled_with_the_citys_risk_class():
    segment = Segment.objects.get(code=NON_ASN)
    request = services.EnrolmentRequest(
        programs=list(Program.objects.filter(code__in=["JKK", "JKM"])),
        segment=segment,
        funding_scheme=segment.default_funding_scheme,
        start_date=date(2025, 8, 1),
        wage=3_000_000,
    )
    memberships = services.enrol_worker(
        factories.make_worker(), request, acting_user=None, channel=Channel.ADMIN
    )
    assert sorted(m.government_share for m in memberships) == [7_200, 9_000]
    assert all(m.employer_share == 0 for m in memberships)


def test_a_wage_earner_without_employer_or_risk_class_is_refused_jkk_in_words():
    scheme = FundingScheme.objects.get(code="APBD")
    scheme.risk_class = None
    scheme.save()
    segment = Segment.objects.get(code=NON_ASN)
    [answer] = quote(["JKK"], segment, 3_000_000, date(2025, 8, 1))
    assert "kelas risiko" in answer.refused


def _open_jp(wage):
    worker, employer = factories.make_worker(), factories.make_employer()
    factories.make_employment(worker, employer, start_date=date(2024, 1, 1), monthly_wage=wage)
    segment = Segment.objects.get(code=PU)
    request = services.EnrolmentRequest(
        programs=[Program.objects.get(code="JP")],
        segment=segment,
        funding_scheme=segment.default_funding_scheme,
        start_date=date(2025, 8, 1),
        wage=wage,
        employer=employer,
    )
    [jp] = services.enrol_worker(worker, request, acting_user=None, channel=Channel.ADMIN)
    return jp


def test_a_new_cap_reaches_open_memberships_after_a_preview(administrator):
    above, below = _open_jp(20_000_000), _open_jp(4_000_000)
    ContributionRate.objects.filter(program__code="JP", valid_from=date(2025, 3, 1)).update(
        valid_to=date(2026, 2, 28)
    )
    ContributionRate.objects.create(
        program=Program.objects.get(code="JP"), segment_kind="PU", percent_of_wage=3, worker_percent=1,
        wage_cap=11_000_000, valid_from=date(2026, 3, 1), legal_basis="test",
    )  # fmt: skip
    jp = Membership.objects.filter(program__code="JP")
    preview = recompute_contributions(
        jp, since=date(2026, 3, 1), acting_user=administrator, channel=Channel.ADMIN, apply=False
    )
    assert (preview.examined, preview.changed) == (2, 1)
    assert (preview.before, preview.after) == (
        316_422,
        330_000,
    )  # 3 % of 10,547,400 -> of 11,000,000
    above.refresh_from_db()
    assert above.monthly_contribution == 316_422  # a preview writes nothing
    done = recompute_contributions(
        jp, since=date(2026, 3, 1), acting_user=administrator, channel=Channel.ADMIN
    )
    assert done.changed == 1
    above.refresh_from_db()
    below.refresh_from_db()
    assert (above.employer_share, above.worker_share) == (220_000, 110_000)
    assert below.monthly_contribution == 120_000
    latest = above.history.first()
    assert latest.history_user == administrator and latest.history_channel == Channel.ADMIN


def test_the_command_previews_and_applies():
    _open_jp(20_000_000)
    ContributionRate.objects.filter(program__code="JP", valid_from=date(2025, 3, 1)).update(
        wage_cap=11_000_000
    )
    out = StringIO()
    call_command("recompute_contributions", "--from", "2025-08-01", "--dry-run", stdout=out)
    assert "1 dari" in out.getvalue() or "1 of" in out.getvalue()
    assert Membership.objects.get(program__code="JP").monthly_contribution == 316_422
    call_command(
        "recompute_contributions", "--from", "2025-08-01", "--programs", "JP", stdout=StringIO()
    )
    assert Membership.objects.get(program__code="JP").monthly_contribution == 330_000


def test_a_wage_change_recomputes_that_workers_memberships(administrator):
    jp = _open_jp(4_000_000)
    employment = jp.worker.employments.get()
    services.update_employment(
        employment, acting_user=administrator, channel=Channel.ADMIN,
        start_date=employment.start_date, monthly_wage=5_000_000,
    )  # fmt: skip
    jp.refresh_from_db()
    assert (jp.employer_share, jp.worker_share, jp.wage) == (100_000, 50_000, 5_000_000)


def test_the_portal_home_shows_the_employers_bill_without_jkp(client, employer_a_user, employer_a):
    worker = factories.make_worker()
    factories.make_employment(
        worker, employer_a, start_date=date(2025, 1, 1), monthly_wage=4_000_000
    )
    segment = Segment.objects.get(code=PU)
    request = services.EnrolmentRequest(
        programs=list(Program.objects.filter(code__in=["JKK", "JKM", "JHT", "JKP"])),
        segment=segment,
        funding_scheme=segment.default_funding_scheme,
        start_date=date(2025, 8, 1),
        wage=4_000_000,
        employer=employer_a,
    )
    services.enrol_worker(worker, request, acting_user=None, channel=Channel.ADMIN)
    client.force_login(employer_a_user)
    page = client.get(reverse("portal:home")).content.decode()
    # JKK 0.24 % 9,600 + JKM 12,000 + JHT 3.7 % 148,000 = 169,600; the worker's JHT 80,000; JKP 14,400.
    assert "Rp169.600" in page and "Rp80.000" in page and "Rp14.400" in page
    detail = client.get(reverse("portal:worker", kwargs={"pk": worker.pk})).content.decode()
    assert "Rp148.000" in detail


@pytest.mark.parametrize("persona", ["employer_a_user", "administrator", "operator"])
def test_employers_and_staff_open_the_calculator(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(
        reverse("contribution"),
        {
            "segment": PU,
            "wage": "20000000",
            "on": "2025-08-01",
            "risk_class": "1",
            "programs": ["JP"],
        },
    )
    assert page.status_code == 200
    assert "Rp316.422" in page.content.decode()


def test_managers_and_visitors_do_not_get_the_calculator(client, manager):
    assert client.get(reverse("contribution")).status_code == 302
    client.force_login(manager)
    assert client.get(reverse("contribution")).status_code == 404
