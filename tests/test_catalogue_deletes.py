"""Deleting a catalogue row (or an employer, a worker) that others still refer to: refused at once with a count of
what refers to it, never a page listing every related object; a row nothing refers to is still deleted."""

from datetime import date

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrollment.models import Employer
from programs.models import FundingScheme, Kecamatan, Kelurahan, Segment, SegmentGroup, SegmentKind
from tests import factories

pytestmark = pytest.mark.usefixtures("reference_data")


@pytest.fixture
def administrator_client(administrator) -> Client:
    client = Client()
    client.force_login(administrator)
    return client


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def new_segment(code: str = "UJI") -> Segment:
    return Segment.objects.create(
        code=code, name=f"Segmen {code}", kind=SegmentKind.WAGE_EARNER, group=SegmentGroup.FORMAL
    )


def use_segment(segment: Segment, memberships: int, claims: int) -> None:
    for serial in range(memberships):
        worker = factories.make_worker(nik=factories.make_nik(date(1990, 1, 1 + serial)))
        factories.make_membership(worker, "JKK", segment=segment)
    worker = factories.make_worker(nik=factories.make_nik(date(1991, 1, 1)))
    for _serial in range(claims):
        factories.make_claim(worker, segment=segment)


def test_a_segment_in_use_is_refused_with_a_count_of_what_uses_it(administrator_client):
    segment = new_segment()
    use_segment(segment, memberships=3, claims=1)  # counted by hand: 3 memberships, 1 claim
    url = admin_url(Segment, "delete", segment.pk)

    page = administrator_client.get(url).content.decode()
    assert "3 kepesertaan dan 1 klaim masih memakai segmen ini; tidak dapat dihapus." in page
    assert 'name="post"' not in page  # no button to confirm

    response = administrator_client.post(url, {"post": "yes"})
    assert response.status_code == 200  # the refusal again, nothing deleted
    assert Segment.objects.filter(pk=segment.pk).exists()


def test_numbers_are_read_as_in_makassar(administrator_client):
    """A thousand memberships read 1.000 (the Indonesian thousands dot), whatever the count's size."""
    segment = new_segment()
    worker = factories.make_worker()
    for year in range(2000, 2000 + 1_000):
        factories.make_membership(
            worker, "JKK", segment=segment, start_date=date(year, 1, 1), end_date=date(year, 6, 30)
        )
    page = administrator_client.get(admin_url(Segment, "delete", segment.pk)).content.decode()
    assert "1.000 kepesertaan masih memakai segmen ini" in page


def test_an_unused_segment_is_deleted_by_an_administrator(administrator_client):
    segment = new_segment()
    url = admin_url(Segment, "delete", segment.pk)
    assert 'name="post"' in administrator_client.get(url).content.decode()
    response = administrator_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Segment.objects.filter(pk=segment.pk).exists()


def test_delete_selected_counts_every_selected_row_together(administrator_client):
    used, also_used, unused = new_segment("UJI1"), new_segment("UJI2"), new_segment("UJI3")
    use_segment(used, memberships=2, claims=0)
    factories.make_claim(
        factories.make_worker(nik=factories.make_nik(date(1992, 2, 2))), segment=also_used
    )
    selected = {
        "action": "delete_selected",
        ACTION_CHECKBOX_NAME: [used.pk, also_used.pk, unused.pk],
    }

    page = administrator_client.post(admin_url(Segment, "changelist"), selected).content.decode()
    assert (
        "2 kepesertaan dan 1 klaim masih memakai segmen yang dipilih; tidak dapat dihapus." in page
    )

    administrator_client.post(admin_url(Segment, "changelist"), {**selected, "post": "yes"})
    assert Segment.objects.filter(code__in=["UJI1", "UJI2", "UJI3"]).count() == 3


def test_a_kecamatan_counts_its_kelurahan(administrator_client):
    kecamatan = Kecamatan.objects.get(code="73.71.01")
    kelurahan = Kelurahan.objects.filter(kecamatan=kecamatan).count()
    assert kelurahan == 9  # Mariso has 9 kelurahan (seeds/wilayah_makassar.csv)
    page = administrator_client.get(admin_url(Kecamatan, "delete", kecamatan.pk)).content.decode()
    assert "9 kelurahan masih memakai kecamatan ini; tidak dapat dihapus." in page


def test_an_employer_with_a_roster_is_refused_with_its_count(administrator_client, employer_a):
    for serial in range(2):
        worker = factories.make_worker(nik=factories.make_nik(date(1993, 3, 1 + serial)))
        factories.make_employment(worker, employer_a)
    page = administrator_client.get(admin_url(Employer, "delete", employer_a.pk)).content.decode()
    assert "2 hubungan kerja masih memakai pemberi kerja ini; tidak dapat dihapus." in page


def test_the_delete_page_costs_the_same_queries_at_any_size(administrator_client):
    """N and 3N memberships of the scheme: one COUNT per relation, never a query (or a line) per membership."""
    scheme = FundingScheme.objects.get(code="APBD")
    segment = new_segment()
    url = admin_url(FundingScheme, "delete", scheme.pk)
    serials = iter(range(1, 28))

    def add_memberships(count: int) -> None:
        for _ in range(count):
            worker = factories.make_worker(nik=factories.make_nik(date(1994, 4, next(serials))))
            factories.make_membership(worker, "JKK", segment=segment, funding_scheme=scheme)

    def queries_and_size() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = administrator_client.get(url)
        assert response.status_code == 200
        return len(queries), len(response.content)

    add_memberships(3)
    queries, size = queries_and_size()
    add_memberships(6)
    assert queries_and_size() == (
        queries,
        size,
    )  # the same queries, the same page (only "3" became "9")
