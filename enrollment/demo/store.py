"""Writing the demo rows in bulk, and removing an earlier demo.

PostgreSQL gets COPY, other databases batched INSERTs (``enrollment.imports.writer.BulkWriter``, shared with the imports); either way the generated ids are fetched afterwards with one
query per table, by natural key (NPP, NIK). Every row names the demo's import batch and the COMMAND channel.

Each table's rows get their "created" historical row (django-simple-history) as an import's do, with one
``INSERT … SELECT`` per table, so the first change to a demo record shows what it changed. An earlier demo is
removed with plain DELETE statements by import batch, its historical rows with it; the database refuses (and the
whole run rolls back) if other rows still refer to them.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from enrollment.demo.claims import PlannedClaim
from enrollment.demo.estimates import SOURCE as ESTIMATE_SOURCE
from enrollment.demo.estimates import PlannedEstimate
from enrollment.demo.population import (
    FORMAL_SEGMENT,
    INFORMAL_SEGMENT,
    PUBLIC_SERVICE_SEGMENTS,
    Population,
    Spell,
)
from enrollment.demo.targets import FORMAL, HORIZON, INFORMAL, PUBLIC_SERVICE, DemoDataError
from enrollment.imports.engine import MEMBERSHIP_COLUMNS, WORKER_COLUMNS
from enrollment.imports.writer import BulkWriter
from enrollment.models import (
    BpjsStatus,
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
from programs.models import (
    BenefitType,
    FundingScheme,
    Kelurahan,
    Program,
    Segment,
)
from programs.rates import Payment, RateTable, risk_class_for
from reports.models import WorkforceEstimate

# The segments the plan uses and the group each must belong to.
EXPECTED_GROUPS = {
    FORMAL_SEGMENT: FORMAL,
    INFORMAL_SEGMENT: INFORMAL,
    **{code: PUBLIC_SERVICE for code, _ in PUBLIC_SERVICE_SEGMENTS},
}
# Removal order: what refers to a row goes before it.
DEMO_TABLES = (
    ("claims", Claim),
    ("memberships", Membership),
    ("employments", Employment),
    ("workers", Worker),
    ("employers", Employer),
)


@dataclass(frozen=True)
class Catalogue:
    """Ids of the reference rows by code."""

    program: dict[str, int]
    segment: dict[str, int]
    segment_kind: dict[str, str]
    funding: dict[str, int]
    funding_terms: dict[str, tuple[str, int | None]]  # code -> (payer, risk class)
    benefit: dict[str, int]
    kelurahan: dict[str, int]
    kecamatan: dict[str, int]
    kecamatan_of: dict[str, str]  # kelurahan code -> kecamatan code

    @classmethod
    def load(cls) -> "Catalogue":
        segments = list(Segment.objects.values_list("code", "id", "kind", "group"))
        kelurahan = list(
            Kelurahan.objects.values_list("code", "id", "kecamatan__code", "kecamatan_id")
        )
        catalogue = cls(
            program=dict(Program.objects.values_list("code", "id")),
            segment={code: pk for code, pk, _, _ in segments},
            segment_kind={code: kind for code, _, kind, _ in segments},
            funding=dict(FundingScheme.objects.values_list("code", "id")),
            funding_terms={
                code: (payer, risk_class)
                for code, payer, risk_class in FundingScheme.objects.values_list(
                    "code", "payer", "risk_class"
                )
            },
            benefit=dict(BenefitType.objects.values_list("code", "id")),
            kelurahan={code: pk for code, pk, _, _ in kelurahan},
            kecamatan={kecamatan: pk for _, _, kecamatan, pk in kelurahan},
            kecamatan_of={code: kecamatan for code, _, kecamatan, _ in kelurahan},
        )
        if not (catalogue.kelurahan and catalogue.program and catalogue.benefit):
            raise DemoDataError(
                "The reference data is missing: run `python manage.py seed_reference` first."
            )
        groups = {code: group for code, _, _, group in segments}
        if wrong := [code for code, group in EXPECTED_GROUPS.items() if groups.get(code) != group]:
            raise DemoDataError(
                f"The segments {', '.join(wrong)} are missing or in another group than seeds/ gives "
                "them: run `python manage.py seed_reference` to restore them."
            )
        return catalogue


def contribution_day(start: date, end: date | None) -> date:
    """The day a demo membership's contribution is computed for: its last day in the data."""
    return min(end or HORIZON, HORIZON)


class Contributions:
    """Contributions by the enrolment's rule (``programs.rates``): the payer and risk class from the funding
    scheme and the employer, at the rates in force on the membership's ``contribution_day``."""

    def __init__(self, rates: RateTable, catalogue: Catalogue) -> None:
        self._rates = rates
        self._catalogue = catalogue

    def values(self, program: str, spell: Spell) -> tuple:
        """``MEMBERSHIP_COLUMNS``' last values: ``Contribution.stored()`` and the wage."""
        kind = self._catalogue.segment_kind[spell.segment]
        payer, scheme_risk_class = self._catalogue.funding_terms[spell.funding]
        employer_risk_class = spell.employer.risk_class if spell.employer else None
        payment = Payment(kind, payer, risk_class_for(kind, employer_risk_class, scheme_risk_class))
        day = contribution_day(spell.start, spell.end)
        return (
            *self._rates.contribution(program, payment, spell.income, day).stored(),
            spell.income,
        )


def write_demo_rows(
    batch: ImportBatch,
    population: Population,
    claims: list[PlannedClaim],
    estimates: list[PlannedEstimate],
    catalogue: Catalogue,
) -> dict[str, int]:
    """Write every planned row; return the number of rows per table."""
    writer = BulkWriter(
        batch_id=batch.pk,
        user_id=None,
        employer_id=None,
        now=timezone.now(),
        channel=Channel.COMMAND,
    )
    contributions = Contributions(RateTable.load(), catalogue)
    people = population.people
    counts = {}

    counts["employers"] = writer.insert(
        Employer,
        (
            "npp",
            "name",
            "sector",
            "size",
            "risk_class",
            "address",
            "kelurahan_id",
            "email",
            "status",
        ),
        (
            (
                e.npp,
                e.name,
                e.sector,
                e.size,
                e.risk_class,
                e.address,
                catalogue.kelurahan[e.kelurahan],
                demo_contact_email(e.name),
                e.status,
            )
            for e in population.employers
        ),
    )
    employer_ids = dict(Employer.objects.filter(import_batch=batch).values_list("npp", "id"))

    counts["workers"] = writer.insert(
        Worker,
        WORKER_COLUMNS,
        (
            (  # in WORKER_COLUMNS order
                p.nik,
                p.kpj,
                p.name,
                p.birth_date,
                p.sex,
                p.phone,
                p.address,
                catalogue.kelurahan[p.kelurahan],
                p.occupation,
                p.has_disability,
                p.dtsen_decile,
                _keeper(p, employer_ids),
            )
            for p in people
        ),
    )
    worker_ids = dict(Worker.objects.filter(import_batch=batch).values_list("nik", "id"))

    counts["employments"] = writer.insert(
        Employment,
        (
            "worker_id",
            "employer_id",
            "start_date",
            "end_date",
            "termination_reason",
            "monthly_wage",
        ),
        (
            (worker_ids[p.nik], employer_ids[s.employer.npp], s.start, s.end, s.reason, s.income)
            for p in people
            for s in p.spells
            if s.employer is not None
        ),
    )
    counts["memberships"] = writer.insert(
        Membership,
        (*MEMBERSHIP_COLUMNS, "bpjs_status", "bpjs_effective_date"),
        (
            (
                worker_ids[p.nik],
                catalogue.program[program],
                catalogue.segment[s.segment],
                catalogue.funding[s.funding],
                employer_ids[s.employer.npp] if s.employer else None,
                s.start,
                s.end,
                *contributions.values(program, s),
                # The city's figures are BPJS's: every demo membership is a participant BPJS confirmed.
                BpjsStatus.ACTIVE,
                s.start,
            )
            for p in people
            for s in p.spells
            for program in s.programs
        ),
    )
    counts["claims"] = writer.insert(
        Claim,
        (
            "reference",
            "worker_id",
            "benefit_type_id",
            "segment_id",
            "employer_id",
            "incident_date",
            "submitted_date",
            "paid_date",
            "amount",
            "status",
        ),
        (
            (
                c.reference,
                worker_ids[c.person.nik],
                catalogue.benefit[c.benefit],
                catalogue.segment[c.spell.segment],
                employer_ids[c.spell.employer.npp] if c.spell.employer else None,
                c.incident,
                c.submitted,
                c.paid,
                c.amount,
                c.status,
            )
            for c in claims
        ),
    )
    for _, model in DEMO_TABLES:
        writer.history_of_new_rows(model)
    WorkforceEstimate.objects.filter(source=ESTIMATE_SOURCE).delete()
    if WorkforceEstimate.objects.filter(year__in={e.year for e in estimates}).exists():
        raise DemoDataError(
            "Workforce estimates for the demo years exist already and seed_demo did not write them; "
            "remove them in the admin first."
        )
    counts["workforce estimates"] = len(
        WorkforceEstimate.objects.bulk_create(
            WorkforceEstimate(
                year=e.year,
                kecamatan_id=catalogue.kecamatan[e.kecamatan] if e.kecamatan else None,
                kind=e.kind,
                workers=e.workers,
                source=ESTIMATE_SOURCE,
            )
            for e in estimates
        )
    )
    return counts


def delete_demo_rows(batch: ImportBatch) -> dict[str, int]:
    """Remove a demo batch and every row it wrote; return the number of rows removed per table.

    Employer logins linked to demo employers (``setup_demo`` links its accounts) are unlinked first, and the demo
    employers' roster confirmations, invitations and e-mails removed, with what ``setup_demo`` wrote through the
    services about demo people (its example refusal, the shared person's second job and change request: rows of
    no batch).
    """
    from compliance.demo import delete_demo_confirmations
    from invitations.models import Invitation
    from mailing.models import OutgoingMail

    of_demo = Q(employer__import_batch=batch) | Q(worker__import_batch=batch)
    confirmations = delete_demo_confirmations(batch)
    unlinked, _ = EmployerUser.objects.filter(employer__import_batch=batch).delete()
    invitations, _ = Invitation.objects.filter(employer__import_batch=batch).delete()
    mails, _ = OutgoingMail.objects.filter(employer__import_batch=batch).delete()
    checks, _ = IdentityProofAttempt.objects.filter(of_demo).delete()
    requests, _ = PersonalDataChangeRequest.objects.filter(of_demo).delete()
    jobs, _ = Employment.objects.filter(of_demo).exclude(import_batch=batch).delete()
    removed = {
        "roster confirmations": confirmations,
        "employer logins": unlinked,
        "invitations": invitations,
        "e-mails": mails,
        "identity checks": checks,
        "change requests": requests,
        "jobs": jobs,
    }
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name, model in DEMO_TABLES:
            table = quote(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE import_batch_id = %s", [batch.pk])  # noqa: S608
            removed[name] = cursor.rowcount
            history = quote(model.history.model._meta.db_table)
            cursor.execute(f"DELETE FROM {history} WHERE history_batch_id = %s", [batch.pk])  # noqa: S608
    batch.delete()
    return removed


def demo_contact_email(name: str) -> str:
    """A demo employer's contact address, in the reserved ``.test`` domain: no mail ever leaves for it."""
    return f"personalia@{slugify(name)[:60].strip('-')}.test"


def _keeper(person, employer_ids: dict[str, int]) -> int | None:
    """The record keeper of a demo person: the employer of their latest job (it entered the data on record), or
    nobody (Disnaker: the DTSEN list) for a person never employed."""
    employers = [spell.employer for spell in person.spells if spell.employer is not None]
    return employer_ids[employers[-1].npp] if employers else None
