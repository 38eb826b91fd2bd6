"""Who opens which budget page (decision 60), and the bill page's invoice, difference and payment forms."""

from datetime import date

import pytest
from django.contrib.auth.models import Group, User

from berjasa.audit import Channel
from berjasa.roles import Role
from budget.forecast import year_forecast
from budget.models import BudgetLine, Invoice, Payment
from enrollment.models import Membership
from privacy.models import AccessRecord
from programs.models import Program
from programs.reference import load_budget_lines
from tests.budget_fixture import make_population

pytestmark = pytest.mark.django_db

READ_URLS = (
    "/anggaran/",
    "/anggaran/?tahun=2026",
    "/anggaran/tagihan/2025-08/",
    "/anggaran/tagihan/2025-08/ringkasan.pdf",
)
PARTICIPANT_URL = "/anggaran/tagihan/2025-08/peserta.xlsx"
POST_URLS = ("/anggaran/tagihan/2025-08/tagihan-bpjs/", "/anggaran/tagihan/2025-08/pembayaran/")


@pytest.fixture
def population(reference_data):
    return make_population()


@pytest.fixture
def finance(db):
    user = User.objects.create_user(username="keuangan_dian", password="rahasia-yang-panjang-1")
    user.groups.add(Group.objects.get(name=Role.FINANCE.value))
    return user


@pytest.mark.parametrize(
    ("persona", "reads", "lists", "records"),
    [
        ("administrator", 200, 200, True),
        ("finance", 200, 200, True),
        ("manager", 200, 404, False),
        ("operator", 404, 404, False),
        ("employer_a_user", 404, 404, False),
    ],
)
def test_the_role_matrix(client, request, population, persona, reads, lists, records):
    client.force_login(request.getfixturevalue(persona))
    for url in READ_URLS:
        assert client.get(url).status_code == reads, url
    assert client.get(PARTICIPANT_URL).status_code == lists
    for url in POST_URLS:
        status = client.post(url, {}).status_code
        assert (status == 400) if records else (status == 404), url  # an empty form: refused


def test_anonymous_visitors_go_to_the_login_page(client):
    assert client.get("/anggaran/").status_code == 302


def test_the_participant_list_is_access_logged(client, population, finance):
    client.force_login(finance)
    response = client.get(PARTICIPANT_URL)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    record = AccessRecord.objects.get(user=finance, scope__file="participants")
    assert record.rows == 5  # Ani, Budi, Citra, Dedi, Eka
    assert record.channel == Channel.STAFF  # not the employer portal


def test_a_malformed_month_or_year_is_not_an_error(client, finance):
    client.force_login(finance)
    for year in ("99999", "abc", "-1", "1999"):
        assert client.get(f"/anggaran/?tahun={year}").status_code == 200
    assert client.get("/anggaran/tagihan/2025-13/").status_code == 404
    assert client.get("/anggaran/tagihan/agustus/").status_code == 404


def test_the_invoice_beside_the_bill_and_the_difference(client, population, finance):
    client.force_login(finance)
    response = client.post(
        POST_URLS[0],
        {
            "invoice-number": "TAG/08",
            "invoice-amount": "66000",
            "invoice-received_on": "2025-09-05",
        },
    )
    assert response.status_code == 302
    page = client.get("/anggaran/tagihan/2025-08/").content.decode()
    # Our bill Rp82.800 − BPJS's Rp66.000 = Rp16.800, all of it Budi's (submitted, not yet active at BPJS).
    assert "Rp82.800" in page and "Rp66.000" in page
    assert page.count("Rp16.800") >= 2
    assert "Budi" in page
    assert Invoice.objects.get().recorded_by == finance


def test_a_manager_sees_the_difference_but_not_the_names(client, population, manager):
    client.force_login(manager)
    page = client.get("/anggaran/tagihan/2025-08/").content.decode()
    assert "Budi" not in page and "Ani" not in page


def test_a_payment_sent_twice_is_recorded_once_and_a_reused_sp2d_is_refused(
    client, population, finance
):
    client.force_login(finance)
    form = {
        "payment-order_number": "SP2D/0815/LS",
        "payment-amount": "50400",
        "payment-paid_on": "2025-09-20",
        "payment-budget_line": str(population.rentan_line.pk),
    }
    assert client.post(POST_URLS[1], form).status_code == 302
    assert client.post(POST_URLS[1], form).status_code == 302  # double submit: nothing new
    response = client.post(POST_URLS[1], {**form, "payment-amount": "50000"})
    assert response.status_code == 400
    assert "SP2D/0815/LS sudah tercatat" in response.content.decode()
    assert Payment.objects.get().amount == 50_400
    too_large = {**form, "payment-order_number": "SP2D/X", "payment-amount": str(10**19)}
    assert (
        client.post(POST_URLS[1], too_large).status_code == 400
    )  # beyond the column: a form error
    assert Payment.objects.count() == 1


def test_the_budget_view_shows_the_month_the_ceiling_runs_out(client, population, finance):
    client.force_login(finance)
    page = client.get("/anggaran/?tahun=2025").content.decode()
    assert "Iuran pekerja rentan" in page
    assert "<meter" in page
    assert date(2025, 11, 1).strftime("%Y") in page


def test_a_segment_in_two_budget_lines_of_a_year_is_refused_in_the_admin(
    client, population, administrator
):
    client.force_login(administrator)
    rentan = population.rentan_line.segments.get()
    form = {
        "year": "2025",
        "code": "5.1.02.99.09",
        "name": "Iuran kedua",
        "department": "Dinas Sosial",
        "segments": [str(rentan.pk)],
        "ceiling": "1000000",
    }
    response = client.post("/admin/budget/budgetline/add/", form)
    assert response.status_code == 200
    assert "RENTAN (5.1.02.99.01)" in response.content.decode()
    assert client.post("/admin/budget/budgetline/add/", {**form, "year": "2026"}).status_code == 302


def test_the_seeded_budget_lines_keep_an_administrators_ceiling(reference_data):
    assert BudgetLine.objects.filter(year=2025).count() == 4
    line = BudgetLine.objects.get(year=2025, segments__code="RENTAN")
    BudgetLine.objects.filter(pk=line.pk).update(ceiling=6_000_000_000)  # a revised budget (APBD-P)
    load_budget_lines()
    line.refresh_from_db()
    assert line.ceiling == 6_000_000_000


def test_a_membership_no_rate_applies_to_is_a_message_not_an_error(client, population, finance):
    # JKP for non-ASN staff the city pays for is refused by the rule (PP 37/2021, decision in issue 11); a row
    # written before that rule makes the bill impossible, and the page says why.
    dedi = Membership.objects.filter(worker__name="Dedi").first()
    Membership.objects.create(
        **{
            field.name: getattr(dedi, field.name)
            for field in Membership._meta.concrete_fields
            if field.name not in ("id", "program", "version", "created_at", "updated_at")
        },
        program=Program.objects.get(code="JKP"),
    )
    client.force_login(finance)
    response = client.get("/anggaran/tagihan/2025-08/")
    assert response.status_code == 409
    assert "JKP" in response.content.decode()


# --- cancelling an entry recorded by mistake ----------------------------------------------------------------


def _august_payment(population, invoice=None) -> Payment:
    return Payment.objects.create(
        month=date(2025, 8, 1),
        budget_line=population.rentan_line,
        order_number="SP2D/1",
        amount=66_000,
        paid_on=date(2025, 9, 20),
        invoice=invoice,
    )


def _paid_on_rentan(population) -> int:
    forecast = year_forecast(2025, date(2025, 8, 1))
    return next(line.paid for line in forecast.lines if line.budget_line == population.rentan_line)


def test_a_payment_typed_wrong_is_cancelled_with_a_reason_and_its_sp2d_recorded_again(
    client, population, finance
):
    client.force_login(finance)
    form = {
        "payment-order_number": "SP2D/0815/LS",
        "payment-amount": "504000",  # a zero too many
        "payment-paid_on": "2025-09-20",
        "payment-budget_line": str(population.rentan_line.pk),
    }
    assert client.post(POST_URLS[1], form).status_code == 302
    wrong = Payment.objects.get()
    assert _paid_on_rentan(population) == 504_000
    cancel_url = f"/anggaran/tagihan/2025-08/pembayaran/{wrong.pk}/batal/"
    response = client.post(
        cancel_url, {"reason": "  "}, follow=True
    )  # no reason: nothing cancelled
    assert "Tulis alasan pembatalannya." in response.content.decode()
    response = client.post(
        cancel_url, {"reason": "Salah\x00ketik"}, follow=True
    )  # PostgreSQL refuses NUL
    assert "karakter kontrol" in response.content.decode()
    wrong.refresh_from_db()
    assert wrong.cancelled_at is None
    assert client.post(cancel_url, {"reason": "Salah ketik nominal"}).status_code == 302
    page = client.post(
        cancel_url, {"reason": "Salah ketik nominal"}, follow=True
    )  # a second submit
    assert "sudah dibatalkan; tidak ada yang berubah" in page.content.decode()
    wrong.refresh_from_db()
    assert (wrong.cancelled_by, wrong.cancel_reason) == (finance, "Salah ketik nominal")
    history = wrong.history.order_by("history_date")
    assert [(row.history_type, row.history_channel) for row in history] == [
        ("+", Channel.STAFF),
        ("~", Channel.STAFF),
    ]
    assert _paid_on_rentan(population) == 0  # out of the budget view's paid

    assert client.post(POST_URLS[1], {**form, "payment-amount": "50400"}).status_code == 302
    page = client.get("/anggaran/tagihan/2025-08/").content.decode()
    assert (
        "Dibatalkan" in page and "Salah ketik nominal" in page and "Rp504.000" in page
    )  # still listed
    assert _paid_on_rentan(population) == 50_400
    assert Payment.objects.filter(order_number="SP2D/0815/LS").count() == 2


def test_an_invoice_with_payments_is_cancelled_only_after_them(client, population, finance):
    client.force_login(finance)
    invoice = Invoice.objects.create(
        month=date(2025, 8, 1), number="TAG/08", amount=66_000, received_on=date(2025, 9, 5)
    )
    payment = _august_payment(population, invoice=invoice)
    invoice_url = f"/anggaran/tagihan/2025-08/tagihan-bpjs/{invoice.pk}/batal/"
    page = client.post(invoice_url, {"reason": "Tagihan ganda"}, follow=True).content.decode()
    assert "Ada pembayaran yang merujuk tagihan ini: batalkan dulu pembayarannya." in page
    invoice.refresh_from_db()
    assert invoice.cancelled_at is None
    client.post(f"/anggaran/tagihan/2025-08/pembayaran/{payment.pk}/batal/", {"reason": "Ganda"})
    assert client.post(invoice_url, {"reason": "Tagihan ganda"}).status_code == 302
    invoice.refresh_from_db()
    assert invoice.cancelled_at is not None
    page = client.get("/anggaran/tagihan/2025-08/").content.decode()
    assert page.count('class="cancelled-note"') == 2
    # The bill's "BPJS's invoice" is empty again: the cancelled one is counted nowhere.
    assert '<div class="value">—</div>' in page


@pytest.mark.parametrize("persona", ["manager", "operator", "employer_a_user"])
def test_only_the_budget_keepers_cancel_and_only_the_months_own_entries(
    client, request, population, finance, persona
):
    payment = _august_payment(population)
    client.force_login(request.getfixturevalue(persona))
    url = f"/anggaran/tagihan/2025-08/pembayaran/{payment.pk}/batal/"
    assert client.post(url, {"reason": "x"}).status_code == 404
    client.force_login(finance)
    assert client.get(url).status_code == 405
    assert (
        client.post(
            f"/anggaran/tagihan/2025-07/pembayaran/{payment.pk}/batal/", {"reason": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/anggaran/tagihan/2025-08/pembayaran/999999/batal/", {"reason": "x"}
        ).status_code
        == 404
    )
    payment.refresh_from_db()
    assert payment.cancelled_at is None
