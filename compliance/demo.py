"""The demo's history of monthly roster confirmations, written by ``seed_demo`` with the rest of the demo.

For each of the 12 months up to the demo's report month (September 2024 – August 2025), each employer with a
worker on its roster at the month's end confirms it or not, deterministically by the seed: the city's rate rises
from about 45% to about 70% over the year (the rates below before the diligence and persistence factors), larger employers confirm more often, and each employer has its own
diligence (one that confirms tends to keep confirming). Most confirmations come in the first days after the
month's end, some in its last days, a few weeks late. About one in two hundred was reopened by Disnaker with a
reason, and most of those confirmed again some days later. ``confirmed_by`` is empty (no demo login exists when
the demo is written; ``setup_demo`` gives its demo employers a history of their own through the services); the
summary holds the month's figures from the planned employments. Written in bulk, in the demo's transaction.
"""

import random
from bisect import bisect_left, bisect_right
from datetime import datetime, time, timedelta

from django.utils import timezone

from berjasa.audit import Channel
from compliance.models import RosterConfirmation
from compliance.months import month_end, months_back
from enrollment.demo.population import Population
from enrollment.demo.targets import REPORT_DAY
from enrollment.models import Employer

MONTHS = 12
FIRST_RATE, LAST_RATE = 0.52, 0.71
SIZE_FACTOR = {
    Employer.Size.MICRO: 0.78,
    Employer.Size.SMALL: 0.95,
    Employer.Size.MEDIUM: 1.15,
    Employer.Size.LARGE: 1.35,
}
REOPENED_SHARE = 0.005
REOPEN_REASONS = (
    "Pekerja yang keluar bulan ini belum dicatat; mohon perbarui daftar lalu konfirmasi lagi.",
    "Upah beberapa pekerja tidak sesuai dengan laporan BPJS Ketenagakerjaan.",
    "Jumlah pekerja berbeda dengan hasil pemeriksaan pengawas ketenagakerjaan.",
)
BATCH = 2_000


def plan_confirmations(
    population: Population, employer_ids: dict[str, int], seed: int
) -> list[RosterConfirmation]:
    rng = random.Random(f"{seed}:roster-confirmations")
    months = months_back(REPORT_DAY.replace(day=1), MONTHS)
    ends = [month_end(month) for month in months]
    starts = months
    size = len(months)
    # Per employer: workers at each month's end (a difference array over month indexes), hires and exits.
    workers: dict[str, list[int]] = {}
    hires: dict[str, list[int]] = {}
    exits: dict[str, list[int]] = {}
    for person in population.people:
        for spell in person.spells:
            if spell.employer is None:
                continue
            npp = spell.employer.npp
            first = bisect_left(ends, spell.start)  # the first month end on or after the start
            last = size - 1 if spell.end is None else bisect_right(ends, spell.end) - 1
            if first <= last:
                counts = workers.setdefault(npp, [0] * (size + 1))
                counts[first] += 1
                counts[last + 1] -= 1
            started = bisect_right(starts, spell.start) - 1
            if 0 <= started < size and spell.start <= ends[started]:
                hires.setdefault(npp, [0] * size)[started] += 1
            if spell.end is not None:
                ended = bisect_right(starts, spell.end) - 1
                if 0 <= ended < size and spell.end <= ends[ended]:
                    exits.setdefault(npp, [0] * size)[ended] += 1
    zone = timezone.get_current_timezone()
    rows = []
    for employer in sorted(population.employers, key=lambda e: e.npp):
        counts = workers.get(employer.npp)
        if counts is None:
            continue
        diligence = 0.55 + 0.9 * rng.random()
        confirmed_before = False
        on_roster = 0
        for index, month in enumerate(months):
            on_roster += counts[index]
            base = FIRST_RATE + (LAST_RATE - FIRST_RATE) * index / (size - 1)
            chance = (
                base * SIZE_FACTOR[employer.size] * diligence * (1.1 if confirmed_before else 0.9)
            )
            if on_roster <= 0 or rng.random() >= min(chance, 0.98):
                confirmed_before = False
                continue
            confirmed_before = True
            when = _confirmed_on(rng, ends[index])
            moment = timezone.make_aware(
                datetime.combine(when, time(rng.randint(7, 20), rng.randint(0, 59))), zone
            )
            summary = {
                "month": f"{month:%Y-%m}",
                "as_of": ends[index].isoformat(),
                "workers": on_roster,
                "hires": hires.get(employer.npp, [0] * size)[index],
                "exits": exits.get(employer.npp, [0] * size)[index],
                "wage_changes": 0,
            }
            row = RosterConfirmation(
                employer_id=employer_ids[employer.npp],
                month=month,
                confirmed_at=moment,
                summary=summary,
                channel=Channel.PORTAL,
            )
            if rng.random() < REOPENED_SHARE:
                row.reopened_at = moment + timedelta(
                    days=rng.randint(2, 12), hours=rng.randint(1, 6)
                )
                row.reopen_reason = rng.choice(REOPEN_REASONS)
                rows.append(row)
                if rng.random() < 0.7:  # confirmed again after correcting the roster
                    rows.append(
                        RosterConfirmation(
                            employer_id=row.employer_id,
                            month=month,
                            confirmed_at=row.reopened_at + timedelta(days=rng.randint(1, 5)),
                            summary=summary,
                            channel=Channel.PORTAL,
                        )
                    )
                continue
            rows.append(row)
    return rows


def _confirmed_on(rng: random.Random, end):
    """Most in the first week after the month's end, some in its last days, a few weeks late."""
    draw = rng.random()
    if draw < 0.15:
        return end - timedelta(days=rng.randint(0, 4))
    if draw < 0.92:
        return end + timedelta(days=rng.randint(1, 7))
    return end + timedelta(days=rng.randint(8, 40))


def write_demo_confirmations(
    population: Population, employer_ids: dict[str, int], seed: int
) -> int:
    rows = plan_confirmations(population, employer_ids, seed)
    RosterConfirmation.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def delete_demo_confirmations(batch) -> int:
    """The confirmations of a demo batch's employers (the seeded ones and those ``setup_demo`` made)."""
    of_batch = RosterConfirmation.objects.filter(employer__import_batch=batch)
    RosterConfirmation.history.filter(employer__import_batch=batch).delete()
    removed, _ = of_batch.delete()
    return removed


DEMO_REOPEN_REASON = (
    "Dua pekerja yang keluar bulan ini belum dicatat; mohon perbarui daftar lalu konfirmasi lagi."
)


def ensure_portal_history(employer: Employer, user, disnaker, today) -> bool:
    """``setup_demo``: the demo employer's last 12 months as its user sees them on the portal — confirmed
    through the service by ``user`` (dated a few days after each month's end), one month left unconfirmed, one
    reopened by ``disnaker`` with a reason, the current month open. Once: False when the employer has a
    confirmation in those months already."""
    from compliance.months import first_of
    from compliance.services import confirm_month, reopen_confirmation

    months = months_back(first_of(today), MONTHS + 1)[:-1]
    if RosterConfirmation.objects.filter(employer=employer, month__gte=months[0]).exists():
        return False
    skipped, reopened = months[-5], months[-3]
    for offset, month in enumerate(months):
        if month == skipped:
            continue
        confirmation = confirm_month(employer, month, acting_user=user, today=today)
        # Backdated for the demo: a confirmation made in the first days after the month's end.
        moment = timezone.make_aware(
            datetime.combine(
                month_end(month) + timedelta(days=1 + offset % 4), time(9, 15 + offset)
            )
        )
        RosterConfirmation.objects.filter(pk=confirmation.pk).update(confirmed_at=moment)
        if month == reopened:
            reopen_confirmation(confirmation, reason=DEMO_REOPEN_REASON, acting_user=disnaker)
            RosterConfirmation.objects.filter(pk=confirmation.pk).update(
                reopened_at=moment + timedelta(days=6, hours=2)
            )
    return True
