"""A month's bill as files: the PDF summary a head of department signs (the reports' document style: DejaVu
Sans, the brand green rule, the footer) and the XLSX participant list (NIK as text, amounts as numbers)."""

from typing import IO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from berjasa.formatting import date_time, long_date, number, rupiah, rupiah_in_words
from berjasa.spreadsheets import write_xlsx
from budget.bill import Bill, Participant, month_label
from reports.exporters import BRAND, MUTED, RULE, build_pdf, register_fonts

SIGNATORY = "Kepala Dinas Ketenagakerjaan Kota Makassar"


def bill_filename(bill: Bill, extension: str) -> str:
    """``tagihan-apbd-2025-08.pdf``."""
    return f"tagihan-apbd-{bill.month:%Y-%m}.{extension}"


def render_bill_pdf(bill: Bill) -> bytes:
    """The month's summary per budget line: participants, each program's amount and the total, the grand
    total, and the place, date and signature block."""
    register_fonts()
    body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=8, leading=10)
    small = ParagraphStyle("small", parent=body, fontSize=7, leading=9, textColor=MUTED)
    bold = ParagraphStyle("bold", parent=body, fontName="DejaVuSans-Bold")
    right = ParagraphStyle("right", parent=bold, alignment=TA_RIGHT)
    title = ParagraphStyle(
        "title", parent=body, fontName="DejaVuSans-Bold", fontSize=15, leading=19
    )
    width = A4[0] - 30 * mm

    def text(value: str, style=body) -> Paragraph:
        return Paragraph(escape(value), style)

    headings = [_("Budget line"), _("Segments"), _("Participants"), *bill.programs, _("Total")]
    rows: list[list] = [
        [text(h, bold) for h in headings[:2]] + [text(h, right) for h in headings[2:]]
    ]
    for line in bill.lines:
        rows.append(
            [
                text(line.label),
                text(", ".join(line.segments)),
                number(line.participants),
                *(rupiah(line.programs.get(code, 0)) for code in bill.programs),
                rupiah(line.total),
            ]
        )
    rows.append(
        [
            text(_("Total"), bold),
            "",
            number(bill.participants),
            *(
                rupiah(sum(line.programs.get(code, 0) for line in bill.lines))
                for code in bill.programs
            ),
            rupiah(bill.total),
        ]
    )
    count_width, money_width = 18 * mm, 30 * mm  # Rp999.999.999.999 in bold fits 30 mm
    text_width = (width - count_width - money_width * (len(headings) - 3)) / 2
    table = PdfTable(
        rows,
        colWidths=[text_width * 1.25, text_width * 0.75, count_width]
        + [money_width] * (len(headings) - 3),
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "DejaVuSans"),
                ("FONTNAME", (0, -1), (-1, -1), "DejaVuSans-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, BRAND),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, BRAND),
            ]
        )
    )
    story = [
        text(
            _("City-budget (APBD) contribution bill — %(month)s")
            % {"month": month_label(bill.month)},
            title,
        ),
        text(
            _("BPJS Ketenagakerjaan contributions the city pays for %(month)s · generated %(at)s")
            % {"month": month_label(bill.month), "at": date_time(timezone.now())},
            small,
        ),
        Spacer(1, 5 * mm),
        table,
        Spacer(1, 2 * mm),
        text(_("In words: %(words)s") % {"words": rupiah_in_words(bill.total)}, bold),
        Spacer(1, 3 * mm),
        text(
            _(
                "A participant is billed for the month when a city-funded membership was active on any day "
                "of it and was handed over to BPJS (submitted, active, lapsed or not in BPJS's statement); "
                "the amount is the government's share under the rates in force on the month's first day."
            ),
            small,
        ),
    ]
    if bill.without_budget_line:
        story.append(
            text(
                _("Warning: no budget line of %(year)s pays the segments %(segments)s.")
                % {
                    "year": bill.month.year,
                    "segments": ", ".join(
                        code for line in bill.without_budget_line for code in line.segments
                    ),
                },
                bold,
            )
        )
    signature = PdfTable(
        [
            [text(_("Makassar, %(date)s") % {"date": long_date(timezone.localdate())})],
            [text(SIGNATORY)],
            [Spacer(1, 20 * mm)],
            [text("(.......................................)")],
            [text(_("NIP") + " .......................................")],
        ],
        colWidths=[80 * mm],
        hAlign="RIGHT",
    )
    story += [Spacer(1, 10 * mm), KeepTogether(signature)]
    return build_pdf(story, bill_filename(bill, "pdf"))


def write_participants_xlsx(handle: IO[bytes], bill: Bill, people: list[Participant]) -> None:
    """One row per participant: NIK (text), name, segment, budget line, state at BPJS, each program's amount,
    the total (numbers)."""
    no_line = _("No budget line")
    header = [
        _("NIK"),
        _("Name"),
        _("Segment"),
        _("Budget line"),
        _("State at BPJS"),
        *bill.programs,
        _("Total"),
    ]
    rows = (
        [
            person.nik,
            person.name,
            person.segment,
            f"{person.budget_line.code} {person.budget_line.name}"
            if person.budget_line
            else no_line,
            person.bpjs_status_label,
            *(person.programs.get(code, 0) for code in bill.programs),
            person.total,
        ]
        for person in people
    )
    write_xlsx(handle, header, rows, text_columns=[0], sheet_title=f"{bill.month:%Y-%m}")
