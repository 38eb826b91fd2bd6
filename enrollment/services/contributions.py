"""Recomputing the contributions of open memberships when a rate, a cap or a wage changes."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext, ngettext

from berjasa.audit import audit_context
from berjasa.formatting import rupiah
from enrollment.models import Employment, Membership
from programs.rates import Contribution, Payment, RateTable, Refused


@dataclass
class Recomputation:
    """What a recomputation changes (or, previewed, would change)."""

    since: date
    examined: int = 0
    changed: int = 0
    before: int = 0  # sum of the changed memberships' monthly contributions before
    after: int = 0  # and after
    by_program: Counter = field(default_factory=Counter)  # program code -> memberships changed
    # why a membership could not be recomputed -> count
    refused: Counter = field(default_factory=Counter)
    without_wage: int = 0  # no wage known to compute from: left as they are

    @property
    def difference(self) -> int:
        return self.after - self.before

    def summary(self) -> str:
        """What the recomputation changed or would change, in words."""
        text = ngettext(
            "%(changed)d of %(examined)d open membership changes: %(before)s → %(after)s a month "
            "(%(difference)s).",
            "%(changed)d of %(examined)d open memberships change: %(before)s → %(after)s a month "
            "(%(difference)s).",
            self.changed,
        ) % {
            "changed": self.changed,
            "examined": self.examined,
            "before": rupiah(self.before),
            "after": rupiah(self.after),
            "difference": ("+" if self.difference >= 0 else "−") + rupiah(abs(self.difference)),
        }
        if self.by_program:
            text += " " + ", ".join(
                f"{code}: {count}" for code, count in sorted(self.by_program.items())
            )
        if self.without_wage:
            text += " " + gettext("%(count)d without a known wage were left as they are.") % {
                "count": self.without_wage
            }
        for reason, count in self.refused.items():
            text += f" {reason} ({count})"
        return text


def recompute_contributions(
    memberships: QuerySet[Membership],
    *,
    since: date,
    acting_user,
    channel: str,
    apply: bool = True,
    wage: int | None = None,
    employer=None,
    batch=None,
) -> Recomputation:
    """Give each open membership the contribution of the rates in force on ``since`` (or its start, if later).

    The wage is the open employment's (employer memberships), else the membership's own (declared income);
    ``wage`` overrides both (a wage change). With ``apply=False`` nothing is written: a preview. Each change is
    saved through the model, so it has its history row, attributed to ``acting_user`` through ``channel``.
    """
    rates = RateTable.load()
    result = Recomputation(since=since)
    with (
        transaction.atomic(),
        audit_context(user=acting_user, channel=channel, employer=employer, batch=batch),
    ):
        rows = list(
            memberships.filter(end_date__isnull=True)
            .select_related("program", "segment", "funding_scheme", "employer")
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        wages = _employment_wages(rows) if wage is None else {}
        for membership in rows:
            result.examined += 1
            base = wage
            if base is None:
                base = wages.get((membership.worker_id, membership.employer_id), membership.wage)
            if base is None:
                result.without_wage += 1
                continue
            try:
                contribution = contribution_from(
                    rates,
                    membership.program.code,
                    Payment.of(membership.segment, membership.funding_scheme, membership.employer),
                    membership.start_date,
                    base,
                    since,
                )
            except Refused as refusal:
                result.refused[str(refusal)] += 1
                continue
            stored = (
                membership.monthly_contribution,
                membership.employer_share,
                membership.worker_share,
                membership.government_share,
            )
            if stored == contribution.stored() and membership.wage == base:
                continue
            if stored != contribution.stored():
                result.changed += 1
                result.before += membership.monthly_contribution
                result.after += contribution.amount
                result.by_program[membership.program.code] += 1
            if apply:  # values of the rates, checked by the database's constraints
                set_contribution(membership, contribution, base)
                membership.save(update_fields=[*SHARE_FIELDS, "updated_at"])
    return result


SHARE_FIELDS = (
    "monthly_contribution",
    "employer_share",
    "worker_share",
    "government_share",
    "wage",
)


def contribution_from(
    rates: RateTable, program_code: str, payment: Payment, start: date, wage: int, since: date
) -> Contribution:
    """An open membership's contribution from ``since`` on ``wage``: the rates in force on ``since``, or on the
    membership's ``start`` if later. Raises ``Refused``."""
    return rates.contribution(program_code, payment, wage, max(since, start))


def set_contribution(membership: Membership, contribution: Contribution, wage: int) -> None:
    """Give a membership the amount and shares of ``contribution``, computed from ``wage``."""
    (
        membership.monthly_contribution,
        membership.employer_share,
        membership.worker_share,
        membership.government_share,
    ) = contribution.stored()
    membership.wage = wage


def _employment_wages(memberships: list[Membership]) -> dict[tuple[int, int], int]:
    """The wage of each open employment behind these employer memberships, in one query."""
    pairs = {(m.worker_id, m.employer_id) for m in memberships if m.employer_id}
    if not pairs:
        return {}
    employments = Employment.objects.filter(end_date__isnull=True)
    if len(pairs) <= 500:  # a few workers: theirs only; else every open job, read once
        employments = employments.filter(worker_id__in={worker for worker, _ in pairs})
    return {
        (worker, employer): wage
        for worker, employer, wage in employments.values_list(
            "worker_id", "employer_id", "monthly_wage"
        ).iterator(chunk_size=10_000)
        if (worker, employer) in pairs
    }
