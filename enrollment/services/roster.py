"""Roster actions: register and update workers, hire, enrol in programs, terminate."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from berjasa.audit import audit_context
from enrollment import date_rules
from enrollment.identity import Details, IdentityNotProven, proof_required
from enrollment.models import (
    PERSONAL_FIELDS,
    Employer,
    Employment,
    ImportBatch,
    Membership,
    Worker,
)
from enrollment.nik import judge_nik_facts, normalize_nik
from enrollment.services.contributions import recompute_contributions, set_contribution
from enrollment.services.versions import lock_as_seen
from programs.models import FundingScheme, Program, Segment
from programs.rates import Payment, RateTable, Refused

# Fields of a worker that a roster keeper may set or change.
WORKER_FIELDS = (*PERSONAL_FIELDS, "dtsen_decile")  # what the services may set on a worker
KEEP = object()  # update_worker: the record keeper stays as it is
NIK_FACTS = ("nik", "birth_date", "sex")


def _save(instance) -> None:
    """Validate with the model's own rules (the clerk's messages), then save."""
    instance.full_clean()
    instance.save()


def register_worker(
    *,
    acting_user,
    channel: str,
    nik: str,
    employer: Employer | None = None,
    start_date: date | None = None,
    monthly_wage: int | None = None,
    confirm_nik_mismatch: bool = False,
    **fields,
) -> tuple[Worker, bool]:
    """Find the worker by NIK or create them; with an employer, also put them on its roster.

    A new worker's birth date and sex are judged against the NIK (``judge_nik_facts``): a disagreement is
    refused unless a staff user confirms it (``confirm_nik_mismatch``), and the confirmation is kept.

    A NIK already known to the city is linked, never duplicated: the existing record is returned (its personal
    data unchanged) and ``created`` is False. An employer's user links a known person who is not on its roster
    only with proof of identity (``enrollment.identity``; Disnaker and the commands link directly): otherwise
    ``IdentityNotProven`` is raised, after the attempt has been recorded in a transaction of its own.
    """
    nik = normalize_nik(nik)
    proving = employer is not None and proof_required(acting_user)
    with transaction.atomic(), audit_context(user=acting_user, channel=channel, employer=employer):
        worker = Worker.objects.select_for_update().filter(nik=nik).first()
        created = worker is None
        if created:  # entered through the employer's users: it keeps the record
            worker = Worker(
                nik=nik, entered_via=channel, keeper=employer, **_only_worker_fields(fields)
            )
            _judge_nik_facts(worker, acting_user, channel, confirm_nik_mismatch)
            _save(worker)
        if employer is None:
            return worker, created
        if start_date is None or monthly_wage is None:
            raise ValidationError(
                _("A start date and a monthly wage are needed to add a worker to a roster.")
            )
        if created or not proving or _on_roster(worker, employer):
            hire_worker(
                worker,
                employer,
                start_date=start_date,
                monthly_wage=monthly_wage,
                acting_user=acting_user,
                channel=channel,
            )
            return worker, created
    # A known person, new to this roster, for an employer's user: proven outside the transaction above, so that
    # a refusal stays recorded when this raises.
    from enrollment.services.identity import prove_and_link  # it hires through this module

    offered = Details(
        **{name: fields.get(name) for name in ("name", "birth_date", "sex", "kpj", "phone")}
    )
    attempt = prove_and_link(
        worker,
        employer,
        offered,
        start_date=start_date,
        monthly_wage=monthly_wage,
        acting_user=acting_user,
        channel=channel,
    )
    if attempt.outcome != attempt.Outcome.MATCHED:
        raise IdentityNotProven(throttled=attempt.outcome == attempt.Outcome.THROTTLED)
    return worker, False


def _judge_nik_facts(worker: Worker, acting_user, channel: str, confirm: bool) -> None:
    """The worker's birth date and sex as written now, judged against the NIK (decision 56): refused
    (``NikContradicts``), or the confirmations kept on the worker (None when they agree)."""
    worker.confirmed_warnings = judge_nik_facts(
        normalize_nik(worker.nik),
        worker.birth_date,
        worker.sex,
        acting_user=acting_user,
        channel=channel,
        confirm=confirm,
    )


def _facts(worker: Worker) -> tuple:
    """The NIK and what it encodes, as recorded: judged again when one of them changes."""
    return tuple(getattr(worker, name) for name in NIK_FACTS)


def _on_roster(worker: Worker, employer: Employer) -> bool:
    return Employment.objects.filter(
        worker=worker, employer=employer, end_date__isnull=True
    ).exists()


def _only_worker_fields(fields: dict) -> dict:
    unknown = set(fields) - set(WORKER_FIELDS)
    if unknown:
        raise TypeError(f"not worker fields: {sorted(unknown)}")
    return fields


@transaction.atomic
def update_worker(
    worker: Worker,
    *,
    acting_user,
    channel: str,
    employer: Employer | None = None,
    keeper: Employer | None | object = KEEP,
    seen_version: int | None = None,
    confirm_nik_mismatch: bool = False,
    **changes,
) -> Worker:
    """Change a worker's personal data (not the NIK, which identifies them); ``keeper`` moves the record keeper.

    A new birth date or sex is judged against the NIK (``judge_nik_facts``; ``confirm_nik_mismatch``: a staff
    user confirms a disagreement).

    Who may change whom is decided by ``enrollment.services.personal.change_personal_data``, which calls this.
    Refused (``StaleEdit``) when the worker is no longer at ``seen_version``, the version the form showed.
    """
    with audit_context(user=acting_user, channel=channel, employer=employer):
        worker = lock_as_seen(worker, seen_version, acting_user=acting_user, employer=employer)
        before = _facts(worker)
        for name, value in _only_worker_fields(changes).items():
            setattr(worker, name, value)
        if _facts(worker) != before:
            _judge_nik_facts(worker, acting_user, channel, confirm_nik_mismatch)
        if keeper is not KEEP:
            worker.keeper = keeper
        _save(worker)
    return worker


@transaction.atomic
def correct_worker(
    worker: Worker,
    *,
    acting_user,
    channel: str,
    seen_version: int | None,
    confirm_nik_mismatch: bool = False,
) -> Worker:
    """Disnaker's worker form as typed (the NIK and the decile included), a new worker or a correction that
    keeps the record keeper; a correction is refused (``StaleEdit``) when the worker is no longer at
    ``seen_version``, the version the form showed. A new worker, or a NIK, birth date or sex changed, is judged
    against the NIK (``judge_nik_facts``; ``confirm_nik_mismatch``: the clerk confirms a disagreement); an old
    disagreement does not block a change of the phone number."""
    with audit_context(user=acting_user, channel=channel):
        judged = worker._state.adding
        if not judged:
            stored = lock_as_seen(worker, seen_version, acting_user=acting_user)
            worker.version = stored.version
            judged = _facts(stored) != _facts(worker)
        if judged:
            _judge_nik_facts(worker, acting_user, channel, confirm_nik_mismatch)
        _save(worker)
    return worker


@transaction.atomic
def hire_worker(
    worker: Worker,
    employer: Employer,
    *,
    start_date: date,
    monthly_wage: int,
    acting_user,
    channel: str,
    batch: ImportBatch | None = None,
) -> Employment:
    """Open an employment: the worker joins the employer's roster."""
    with audit_context(user=acting_user, channel=channel, employer=employer, batch=batch):
        if Employment.objects.filter(
            worker=worker, employer=employer, end_date__isnull=True
        ).exists():
            raise ValidationError(_("This worker is already on this employer's roster."))
        employment = Employment(
            worker=worker,
            employer=employer,
            start_date=start_date,
            monthly_wage=monthly_wage,
            entered_via=channel,
            import_batch=batch,
        )
        _save(employment)
    return employment


@transaction.atomic
def update_employment(
    employment: Employment,
    *,
    acting_user,
    channel: str,
    start_date: date,
    monthly_wage: int,
    batch: ImportBatch | None = None,
    seen_version: int | None = None,
    confirm: Collection[str] = (),
) -> Employment:
    """Correct an employment's start date and wage; refused (``StaleEdit``) when it is no longer at
    ``seen_version``, the version the form showed. A later start that would leave memberships through this
    employer starting before it is the membership rule's warning (``date_rules``): confirmed by staff, it is
    recorded on those memberships."""
    with audit_context(
        user=acting_user, channel=channel, employer=employment.employer, batch=batch
    ):
        employment = lock_as_seen(employment, seen_version, acting_user=acting_user)
        if start_date > employment.start_date:
            _confirm_moved_start(employment, start_date, acting_user, channel, confirm)
        wage_changed = employment.monthly_wage != monthly_wage
        employment.start_date = start_date
        employment.monthly_wage = monthly_wage
        _save(employment)
        if wage_changed:  # the contributions with this employer follow the new wage from today
            recompute_contributions(
                Membership.objects.filter(
                    worker_id=employment.worker_id, employer_id=employment.employer_id
                ),
                since=timezone.localdate(),
                acting_user=acting_user,
                channel=channel,
                employer=employment.employer,
                batch=batch,
            )
    return employment


def moved_start_contradictions(
    employment: Employment, start_date: date
) -> list[tuple[Membership, date_rules.Contradiction]]:
    """What moving ``employment``'s start to ``start_date`` contradicts: its memberships starting earlier."""
    moved = Employment(start_date=start_date, end_date=employment.end_date)
    others = Employment.objects.filter(
        worker_id=employment.worker_id, employer_id=employment.employer_id
    ).exclude(pk=employment.pk)
    jobs = [_span(job) for job in (moved, *others)]
    early = Membership.objects.select_for_update().filter(
        worker_id=employment.worker_id,
        employer_id=employment.employer_id,
        start_date__gte=employment.start_date,
        start_date__lt=start_date,
    )
    return [
        (membership, contradiction)
        for membership in early.order_by("start_date", "pk")
        for contradiction in date_rules.membership_contradictions(
            membership.start_date, employment.employer.name, jobs
        )
    ]


def _confirm_moved_start(
    employment: Employment,
    start_date: date,
    acting_user,
    channel: str,
    confirm: Collection[str],
) -> None:
    """Refuse, or record the confirmed warning on each membership it concerns (with its history row)."""
    found = moved_start_contradictions(employment, start_date)
    confirmed = date_rules.judge(
        [contradiction for _membership, contradiction in found],
        acting_user=acting_user,
        channel=channel,
        confirm=confirm,
    )
    for (membership, _contradiction), entry in zip(found, confirmed or (), strict=True):
        membership.confirmed_warnings = [*(membership.confirmed_warnings or ()), entry]
        _save(membership)


def _span(employment: Employment) -> date_rules.Span:
    return date_rules.Span(employment.start_date, employment.end_date)


def employment_spans(worker: Worker, employer: Employer) -> list[date_rules.Span]:
    return [
        date_rules.Span(start, end)
        for start, end in Employment.objects.filter(worker=worker, employer=employer).values_list(
            "start_date", "end_date"
        )
    ]


@dataclass(frozen=True)
class EnrolmentRequest:
    """Which programs, under which segment and funding, from when; ``wage`` is the wage or declared income."""

    programs: Iterable[Program]
    segment: Segment
    funding_scheme: FundingScheme
    start_date: date
    wage: int
    employer: Employer | None = None


@transaction.atomic
def enrol_worker(
    worker: Worker,
    request: EnrolmentRequest,
    *,
    acting_user,
    channel: str,
    batch: ImportBatch | None = None,
    confirm: Collection[str] = (),
) -> list[Membership]:
    """Open a membership in each program; the contribution follows the rates in force on the start date.

    Refuses the whole request (nothing written) if any program is closed to the segment's kind, already held in
    that period, or has no rate on that date (``programs.rates``: the calculator's rule). A wage earner without
    an employer (non-ASN staff paid from the APBD) takes the funding scheme's risk class for JKK. Through an
    employer, the start must fall within an employment with it (``date_rules.membership_contradictions``;
    ``confirm`` names the warnings a staff user confirmed, recorded on each membership).
    """
    confirmed = None
    if request.employer is not None:
        confirmed = date_rules.judge(
            date_rules.membership_contradictions(
                request.start_date,
                request.employer.name,
                employment_spans(worker, request.employer),
            ),
            acting_user=acting_user,
            channel=channel,
            confirm=confirm,
        )
    rates = RateTable.load()
    payment = Payment.of(request.segment, request.funding_scheme, request.employer)
    memberships, errors = [], []
    for program in request.programs:
        try:
            contribution = rates.contribution(
                program.code, payment, request.wage, request.start_date
            )
        except Refused as refusal:
            errors.append(str(refusal))
            continue
        membership = Membership(
            worker=worker,
            program=program,
            segment=request.segment,
            funding_scheme=request.funding_scheme,
            employer=request.employer,
            start_date=request.start_date,
            entered_via=channel,
            import_batch=batch,
            confirmed_warnings=confirmed,
        )
        set_contribution(membership, contribution, request.wage)
        memberships.append(membership)
    if not memberships and not errors:
        errors.append(_("Choose at least one program."))
    with audit_context(user=acting_user, channel=channel, employer=request.employer, batch=batch):
        for membership in memberships:
            try:
                membership.full_clean()
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        for membership in memberships:
            membership.save()
    return memberships


def set_end_date(record: Employment | Membership, end_date: date, already_ended: str) -> None:
    """Give an open employment or membership its end date (refused if it has one or it is too early)."""
    if record.end_date is not None:
        raise ValidationError(already_ended)
    if end_date < record.start_date:
        raise ValidationError(_("The end date cannot be before the start date."))
    record.end_date = end_date


@transaction.atomic
def terminate_employment(
    employment: Employment,
    *,
    end_date: date,
    reason: str,
    acting_user,
    channel: str,
    batch: ImportBatch | None = None,
    seen_version: int | None = None,
) -> list[Membership]:
    """End an employment and, on the same date, the employer-funded memberships it carried (refused when the
    employment is no longer at ``seen_version``, the version the page showed)."""
    with audit_context(
        user=acting_user, channel=channel, employer=employment.employer, batch=batch
    ):
        employment = lock_as_seen(employment, seen_version, acting_user=acting_user)
        set_end_date(employment, end_date, _("This employment has already ended."))
        if reason not in Employment.TerminationReason.values:
            raise ValidationError(_("Choose why the employment ended."))
        employment.termination_reason = reason
        _save(employment)
        ended = []
        open_memberships = Membership.objects.select_for_update().filter(
            worker_id=employment.worker_id,
            employer_id=employment.employer_id,
            end_date__isnull=True,
        )
        for membership in open_memberships:
            if membership.start_date > end_date:
                membership.delete()  # it would have started after the job ended: it never takes effect
                continue
            membership.end_date = end_date
            _save(membership)
            ended.append(membership)
    return ended


@transaction.atomic
def end_membership(
    membership: Membership,
    *,
    end_date: date,
    acting_user,
    channel: str,
    batch: ImportBatch | None = None,
    seen_version: int | None = None,
) -> Membership:
    """End one membership: ``end_date`` is its last day of cover (refused when the membership is no longer at
    ``seen_version``, the version the page showed)."""
    with audit_context(
        user=acting_user, channel=channel, employer=membership.employer_id, batch=batch
    ):
        membership = lock_as_seen(membership, seen_version, acting_user=acting_user)
        set_end_date(membership, end_date, _("This membership has already ended."))
        _save(membership)
    return membership
