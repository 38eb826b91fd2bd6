"""Small, explicit builders for test data. Each returns a saved object; keyword arguments override defaults."""

import itertools
from datetime import date

from enrollment.models import (
    Channel,
    Claim,
    Employer,
    EmployerUser,
    Employment,
    Membership,
    Worker,
)
from mailing.services import Draft, queue_mails
from programs.models import BenefitType, FundingScheme, Kelurahan, Program, Segment

_serial = itertools.count(1)


def make_nik(birth_date: date = date(1990, 3, 12), sex: str = "L", region: str = "737105") -> str:
    """A structurally valid NIK for the birth date and sex, unique within a test (its four-digit serial goes round
    after 9,999 across the run)."""
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{next(_serial) % 9999 + 1:04d}"


def make_employer(**overrides) -> Employer:
    values = {
        "npp": f"{90000000 + next(_serial)}",
        "name": "PT Contoh Makassar",
        "sector": Employer.Sector.TRADE,
        "size": Employer.Size.SMALL,
        "kelurahan": Kelurahan.objects.order_by("code").first(),
        "entered_via": Channel.ADMIN,
    }
    values.update(overrides)
    return Employer.objects.create(**values)


def link_employer_user(user, employer: Employer) -> EmployerUser:
    return EmployerUser.objects.create(user=user, employer=employer)


def make_worker(**overrides) -> Worker:
    birth_date = overrides.pop("birth_date", date(1990, 3, 12))
    sex = overrides.pop("sex", "L")
    values = {
        "nik": make_nik(birth_date, sex),
        "name": "Andi Pratama",
        "birth_date": birth_date,
        "sex": sex,
        "kelurahan": Kelurahan.objects.order_by("code").first(),
        "occupation": "Pedagang",
        "entered_via": Channel.ADMIN,
    }
    values.update(overrides)
    return Worker.objects.create(**values)


def make_employment(worker: Worker, employer: Employer, **overrides) -> Employment:
    values = {
        "start_date": date(2024, 1, 1),
        "monthly_wage": 3_900_000,
        "entered_via": Channel.ADMIN,
    }
    values.update(overrides)
    return Employment.objects.create(worker=worker, employer=employer, **values)


def make_membership(worker: Worker, program_code: str = "JKK", **overrides) -> Membership:
    segment = overrides.pop("segment", None) or Segment.objects.get(code="FORMAL")
    values = {
        "program": Program.objects.get(code=program_code),
        "segment": segment,
        "funding_scheme": segment.default_funding_scheme
        or FundingScheme.objects.get(code="EMPLOYER"),
        "start_date": date(2024, 1, 1),
        "monthly_contribution": 9_360,
        "entered_via": Channel.ADMIN,
    }
    values.update(overrides)
    if not {"employer_share", "worker_share", "government_share"} & set(overrides):
        values["employer_share"] = values["monthly_contribution"]  # the amount is its shares' sum
    return Membership.objects.create(worker=worker, **values)


def make_claim(worker: Worker, benefit_code: str = "JHT", **overrides) -> Claim:
    values = {
        "reference": f"KLM-{next(_serial):08d}",
        "benefit_type": BenefitType.objects.get(code=benefit_code),
        "segment": Segment.objects.get(code="FORMAL"),
        "incident_date": date(2025, 1, 10),
        "submitted_date": date(2025, 1, 15),
        "amount": 12_500_000,
        "status": Claim.Status.SUBMITTED,
        "entered_via": Channel.ADMIN,
    }
    values.update(overrides)
    return Claim.objects.create(worker=worker, **values)


def queue_mail(kind: str, *, to: str, context: dict | None = None, **draft):
    """One mail queued through the outbox's service; None when its ``dedupe_key`` was queued before."""
    created = queue_mails([Draft(kind, to, context or {}, **draft)])
    return created[0] if created else None
