"""The rules that protect the data: each held by the database, and each explained to a clerk in Indonesian."""

import threading
from datetime import date
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from enrollment.models import Claim, Employer, Employment, Membership, Worker
from programs.models import (
    ContributionRate,
    CoverageTarget,
    Kelurahan,
    Program,
    Segment,
    SegmentGroup,
    SegmentKind,
)
from reports.models import WorkforceEstimate
from tests import factories

pytestmark = pytest.mark.usefixtures("reference_data")


def refused_by_database(create):
    """Run ``create`` and assert the database itself refuses it."""
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def refused_while_another_transaction_commits(first_write, second_write) -> None:
    """``first_write`` in a transaction of its own, held open; ``second_write`` then, which the database must make
    wait for that transaction's commit (0.5 s later) and then refuse."""
    first_written, release = threading.Event(), threading.Event()

    def first_transaction():
        try:
            with transaction.atomic():
                first_write()
                first_written.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_transaction)
    thread.start()
    assert first_written.wait(timeout=10)
    threading.Timer(0.5, release.set).start()
    refused_by_database(second_write)
    thread.join()


def clerk_messages(instance) -> list[str]:
    """What a form would tell the clerk: the messages of ``full_clean``, in Indonesian."""
    with translation.override("id"), pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.messages


def test_it_keeps_nik_unique():
    worker = factories.make_worker()
    refused_by_database(lambda: factories.make_worker(nik=worker.nik))
    duplicate = Worker(
        nik=worker.nik, name="B", birth_date=worker.birth_date, sex="L", entered_via="ADMIN"
    )
    assert "NIK ini sudah terdaftar atas nama pekerja lain." in clerk_messages(duplicate)


def test_it_keeps_a_16_character_nik_in_the_database():
    refused_by_database(lambda: factories.make_worker(nik="737105120390001"))


def test_it_keeps_kpj_unique_when_present_and_allows_many_empty():
    holder = factories.make_worker(kpj="12345678901")
    refused_by_database(lambda: factories.make_worker(kpj="12345678901"))
    second = Worker(
        nik="7371051203900002", name="B", birth_date=holder.birth_date, sex="L", kpj="12345678901"
    )
    assert "Nomor KPJ ini sudah terdaftar atas nama pekerja lain." in clerk_messages(second)
    factories.make_worker(kpj=None)
    factories.make_worker(kpj=None)
    assert Worker.objects.filter(kpj__isnull=True).count() == 2


def test_it_keeps_npp_unique():
    factories.make_employer(npp="55500001")
    refused_by_database(lambda: factories.make_employer(npp="55500001"))
    duplicate = Employer(
        npp="55500001", name="X", sector="TRADE", size="SMALL", entered_via="ADMIN"
    )
    assert "NPP ini sudah terdaftar atas nama pemberi kerja lain." in clerk_messages(duplicate)


def test_it_keeps_the_dtsen_decile_between_1_and_10():
    refused_by_database(lambda: factories.make_worker(dtsen_decile=11))
    worker = Worker(
        nik="7371051203900001", name="A", birth_date=date(1990, 3, 12), sex="L", dtsen_decile=0
    )
    assert "Desil DTSEN adalah angka 1 sampai 10." in clerk_messages(worker)


def test_it_refuses_an_employment_ending_before_it_starts():
    worker, employer = factories.make_worker(), factories.make_employer()
    refused_by_database(
        lambda: factories.make_employment(
            worker, employer, start_date=date(2025, 5, 1), end_date=date(2025, 4, 30)
        )
    )
    employment = Employment(
        worker=worker,
        employer=employer,
        start_date=date(2025, 5, 1),
        end_date=date(2025, 4, 30),
        termination_reason="RESIGNED",
        monthly_wage=1,
        entered_via="ADMIN",
    )
    assert "Tanggal berakhir tidak boleh sebelum tanggal mulai." in clerk_messages(employment)


def test_it_allows_one_open_employment_per_worker_and_employer():
    worker, employer = factories.make_worker(), factories.make_employer()
    factories.make_employment(worker, employer)
    refused_by_database(lambda: factories.make_employment(worker, employer))
    second = Employment(
        worker=worker,
        employer=employer,
        start_date=date(2025, 1, 1),
        monthly_wage=1,
        entered_via="ADMIN",
    )
    assert "Pekerja ini sudah ada dalam daftar pekerja pemberi kerja ini." in clerk_messages(second)


def test_it_allows_a_new_employment_after_the_old_one_ended():
    worker, employer = factories.make_worker(), factories.make_employer()
    factories.make_employment(
        worker, employer, end_date=date(2024, 6, 30), termination_reason="CONTRACT_ENDED"
    )
    factories.make_employment(worker, employer, start_date=date(2024, 9, 1))
    assert worker.employments.count() == 2


@pytest.mark.parametrize("field", ["monthly_wage"])
def test_it_refuses_a_negative_wage(field):
    worker, employer = factories.make_worker(), factories.make_employer()
    refused_by_database(lambda: factories.make_employment(worker, employer, **{field: -1}))


def test_it_refuses_a_negative_contribution():
    worker = factories.make_worker()
    refused_by_database(lambda: factories.make_membership(worker, monthly_contribution=-1))


def test_it_refuses_a_membership_ending_before_it_starts():
    worker = factories.make_worker()
    refused_by_database(
        lambda: factories.make_membership(
            worker, start_date=date(2025, 5, 1), end_date=date(2025, 4, 1)
        )
    )


def test_it_allows_one_open_membership_per_program():
    worker = factories.make_worker()
    factories.make_membership(worker, "JKK")
    refused_by_database(
        lambda: factories.make_membership(worker, "JKK", start_date=date(2025, 1, 1))
    )
    factories.make_membership(worker, "JKM")  # another program is fine
    assert worker.memberships.count() == 2


def _unsaved_jkk(worker, start, end=None) -> Membership:
    existing = worker.memberships.first()
    return Membership(
        worker=worker,
        program=existing.program,
        segment=existing.segment,
        funding_scheme=existing.funding_scheme,
        start_date=start,
        end_date=end,
        monthly_contribution=9_360,
        employer_share=9_360,
        entered_via="ADMIN",
    )


def test_it_explains_an_overlapping_membership_to_the_clerk():
    worker = factories.make_worker()
    factories.make_membership(
        worker, "JKK", start_date=date(2024, 1, 1), end_date=date(2024, 12, 31)
    )
    overlapping = _unsaved_jkk(worker, date(2024, 12, 31), date(2025, 3, 1))
    assert clerk_messages(overlapping) == [
        "Pekerja ini sudah memiliki kepesertaan JKK pada periode tersebut."
    ]
    adjoining = _unsaved_jkk(worker, date(2025, 1, 1))
    adjoining.full_clean()  # the day after the old one ends is fine


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="exclusion constraints need PostgreSQL"
)
def test_postgresql_refuses_overlapping_memberships_of_one_program():
    worker = factories.make_worker()
    factories.make_membership(
        worker, "JKK", start_date=date(2024, 1, 1), end_date=date(2024, 12, 31)
    )
    refused_by_database(
        lambda: factories.make_membership(
            worker, "JKK", start_date=date(2024, 6, 1), end_date=date(2024, 6, 30)
        )
    )
    factories.make_membership(worker, "JKK", start_date=date(2025, 1, 1), end_date=date(2025, 2, 1))
    assert worker.memberships.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the overlap check is PostgreSQL's")
def test_postgresql_refuses_an_overlap_made_by_an_update_or_within_one_statement():
    worker = factories.make_worker()
    first = factories.make_membership(
        worker, "JKK", start_date=date(2024, 1, 1), end_date=date(2024, 6, 30)
    )
    later = factories.make_membership(worker, "JKK", start_date=date(2024, 7, 1))
    # Moving the later one's start back into the first one's months.
    refused_by_database(
        lambda: Membership.objects.filter(pk=later.pk).update(start_date=date(2024, 6, 1))
    )
    # Two rows of one bulk insert that overlap each other (another worker, so only they can clash).
    other = factories.make_worker()
    rows = [
        Membership(
            worker=other,
            program=first.program,
            segment=first.segment,
            funding_scheme=first.funding_scheme,
            start_date=start,
            monthly_contribution=9_360,
            employer_share=9_360,
            entered_via=first.entered_via,
        )
        for start in (date(2025, 1, 1), date(2025, 3, 1))
    ]
    rows[0].end_date = date(2025, 12, 31)
    refused_by_database(lambda: Membership.objects.bulk_create(rows))
    # Another program, or the next day, is no overlap.
    factories.make_membership(worker, "JKM", start_date=date(2024, 6, 1))
    Membership.objects.filter(pk=later.pk).update(start_date=date(2024, 7, 2))
    assert Membership.objects.filter(worker=worker).count() == 3
    assert not Membership.objects.filter(worker=other).exists()


def test_it_refuses_a_negative_claim_amount():
    worker = factories.make_worker()
    refused_by_database(lambda: factories.make_claim(worker, amount=-5))


def test_it_refuses_a_claim_submitted_before_the_incident():
    worker = factories.make_worker()
    refused_by_database(
        lambda: factories.make_claim(
            worker, incident_date=date(2025, 2, 1), submitted_date=date(2025, 1, 31)
        )
    )


def test_it_refuses_a_claim_paid_before_it_was_submitted():
    worker = factories.make_worker()
    refused_by_database(
        lambda: factories.make_claim(worker, status=Claim.Status.PAID, paid_date=date(2025, 1, 14))
    )


def test_it_requires_a_paid_date_exactly_when_the_claim_is_paid():
    worker = factories.make_worker()
    refused_by_database(lambda: factories.make_claim(worker, status=Claim.Status.PAID))
    refused_by_database(
        lambda: factories.make_claim(
            worker, status=Claim.Status.VERIFIED, paid_date=date(2025, 2, 1)
        )
    )
    claim = factories.make_claim(worker)
    claim.status = Claim.Status.PAID
    assert (
        "Klaim yang sudah dibayar memerlukan tanggal bayar, dan hanya klaim yang dibayar yang memilikinya."
        in clerk_messages(claim)
    )


def test_it_keeps_claim_references_unique():
    worker = factories.make_worker()
    factories.make_claim(worker, reference="KLM-1")
    refused_by_database(lambda: factories.make_claim(worker, reference="KLM-1"))


def test_a_rate_is_either_a_percentage_or_a_fixed_amount():
    jkm = Program.objects.get(code="JKM")
    refused_by_database(
        lambda: ContributionRate.objects.create(
            program=jkm,
            segment_kind="BPU",
            percent_of_wage=1,
            fixed_amount=6800,
            valid_from=date(2026, 1, 1),
        )
    )
    refused_by_database(
        lambda: ContributionRate.objects.create(
            program=jkm, segment_kind="BPU", valid_from=date(2026, 1, 1)
        )
    )


def test_a_rate_cannot_end_before_it_starts():
    jkm = Program.objects.get(code="JKM")
    refused_by_database(
        lambda: ContributionRate.objects.create(
            program=jkm,
            segment_kind="BPU",
            fixed_amount=6800,
            valid_from=date(2026, 1, 1),
            valid_to=date(2025, 12, 31),
        )
    )


def test_a_target_is_a_percentage():
    refused_by_database(lambda: CoverageTarget.objects.create(year=2030, target_percent=101))


def test_a_workforce_estimate_is_unique_per_year_place_and_kind():
    WorkforceEstimate.objects.create(year=2025, kind="EMPLOYED", workers=10)
    refused_by_database(
        lambda: WorkforceEstimate.objects.create(year=2025, kind="EMPLOYED", workers=11)
    )
    WorkforceEstimate.objects.create(year=2025, kind="UCJ_ELIGIBLE", workers=9)
    assert WorkforceEstimate.objects.filter(year=2025).count() == 2


def test_the_worker_record_refuses_an_invalid_nik_and_a_future_birth_date():
    worker = Worker(
        nik="7371 0512 0390 0000",
        name="Andi",
        birth_date=date(2999, 1, 1),
        sex="L",
        entered_via="ADMIN",
    )
    messages = clerk_messages(worker)
    assert "Empat digit terakhir NIK adalah nomor urut mulai 0001; 0000 tidak ada." in messages
    assert "Tanggal lahir tidak boleh di masa depan." in messages


def test_the_worker_record_stores_the_nik_as_16_digits():
    worker = Worker(
        nik="7371.0512.0390.0001",
        name="Andi",
        birth_date=date(1990, 3, 12),
        sex="L",
        entered_via="ADMIN",
    )
    worker.full_clean()
    assert worker.nik == "7371051203900001"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the overlap check is PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_transactions_cannot_each_add_one_of_two_overlapping_memberships():
    """The second waits for the first to commit (the check locks the worker), then sees its row and refuses."""
    worker = factories.make_worker()
    refused_while_another_transaction_commits(
        lambda: factories.make_membership(
            worker, "JKM", start_date=date(2024, 1, 1), end_date=date(2024, 12, 31)
        ),
        lambda: factories.make_membership(
            worker, "JKM", start_date=date(2024, 6, 1), end_date=date(2024, 6, 30)
        ),
    )
    assert list(Membership.objects.filter(worker=worker).values_list("start_date", flat=True)) == [
        date(2024, 1, 1)
    ]


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the statement checks are PostgreSQL's"
)
def test_postgresql_checks_catalogue_references_once_per_statement():
    worker = factories.make_worker()
    membership = factories.make_membership(worker, "JKK")
    unknown = 2**31 - 1  # no catalogue row has this id
    # Any row of a statement naming a program, segment, funding scheme or kelurahan that does not exist.
    refused_by_database(
        lambda: Membership.objects.filter(pk=membership.pk).update(program_id=unknown)
    )
    rows = [
        Membership(
            worker=factories.make_worker(),
            program=membership.program,
            segment_id=segment_id,
            funding_scheme=membership.funding_scheme,
            start_date=date(2024, 1, 1),
            monthly_contribution=0,
            entered_via="ADMIN",
        )
        for segment_id in (membership.segment_id, unknown)
    ]
    refused_by_database(lambda: Membership.objects.bulk_create(rows))
    refused_by_database(lambda: Worker.objects.filter(pk=worker.pk).update(kelurahan_id=unknown))
    # A catalogue row still referenced cannot be deleted or renumbered, not even by plain SQL.
    for statement, pk in (
        ("DELETE FROM programs_segment WHERE id = %s", membership.segment_id),
        ("UPDATE programs_segment SET id = id + 1000 WHERE id = %s", membership.segment_id),
        ("DELETE FROM programs_kelurahan WHERE id = %s", worker.kelurahan_id),
        ("UPDATE programs_kelurahan SET id = id + 1000 WHERE id = %s", worker.kelurahan_id),
    ):
        refused_by_database(partial(sql, statement, [pk]))
    # What nobody references can go; the rest is as it was.
    unused = Kelurahan.objects.filter(worker__isnull=True, employer__isnull=True).first()
    sql("DELETE FROM programs_kelurahan WHERE id = %s", [unused.pk])
    membership.refresh_from_db()
    worker.refresh_from_db()
    assert (membership.program.code, worker.kelurahan_id) == ("JKK", worker.kelurahan_id)
    assert Membership.objects.count() == 1
    assert not Kelurahan.objects.filter(pk=unused.pk).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the statement checks are PostgreSQL's"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_catalogue_row_cannot_be_deleted_while_another_transaction_starts_using_it():
    """The reference check locks the rows it finds, as a foreign key does: the delete waits, then refuses."""
    worker = factories.make_worker()
    segment = Segment.objects.create(
        code="TEST", name="Test", kind=SegmentKind.WAGE_EARNER, group=SegmentGroup.FORMAL
    )
    refused_while_another_transaction_commits(
        lambda: factories.make_membership(worker, "JKK", segment=segment),
        lambda: sql("DELETE FROM programs_segment WHERE id = %s", [segment.pk]),
    )
    assert Membership.objects.filter(worker=worker, segment=segment).count() == 1
