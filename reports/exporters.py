"""Formats: each exporter renders any ``ReportResult`` to bytes, opening with the headline figures.

- ``table``: text for a terminal, in the Indonesian number format.
- ``csv``: for machines and spreadsheets: UTF-8 with a byte-order mark (Excel then reads the apostrophe of
  Pa'batang and the dashes right), plain numbers (``263903``, ``63.47``), text that could start a formula escaped.
- ``xlsx``: a summary sheet, then one sheet per table; numbers are numbers with display formats.
- ``pdf``: A4, headline, then every table with its chart (PNG).
- ``json``: ``ReportResult.as_dict`` (also what a snapshot stores as its figures).
"""

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from berjasa.formatting import date_time
from berjasa.spreadsheets import neutralise
from reports import charts
from reports.engine import COUNT, PERCENT, RUPIAH, Figure
from reports.formatting import cell
from reports.registry import ReportResult, Table


@dataclass(frozen=True)
class Exporter:
    identifier: str
    label: Promise
    extension: str
    content_type: str
    render: Callable[[ReportResult], bytes]


def filename(result: ReportResult, exporter: Exporter) -> str:
    """``coverage-2025-08.pdf``, ``coverage-trend-2023-01_2025-10.csv``."""
    period = result.params.period.key.replace("..", "_")
    return f"{result.report.identifier}-{period}.{exporter.extension}"


def _generated(result: ReportResult) -> str:
    return date_time(result.generated_at)


def _preamble(result: ReportResult) -> list[tuple[str, str]]:
    """Title lines every format prints first: period, filters, when it was made."""
    period = result.params.period
    return [
        (_("Period"), f"{period.label()} ({period.key})"),
        *result.filters,
        (_("Generated"), _generated(result)),
    ]


def _display(figure: Figure) -> str:
    return cell(figure.value, figure.kind, short_money=True)


# --- Text ----------------------------------------------------------------------------------------


def _text_table(headings: list[str], rows: Iterable[list[str]], numeric: list[bool]) -> list[str]:
    rows = list(rows)
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headings)
    ]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if right else v.ljust(w)
            for v, w, right in zip(values, widths, numeric, strict=True)
        ).rstrip()

    return [line(headings), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def render_text(result: ReportResult) -> bytes:
    lines = [f"Makassar Berjasa — {result.title}", *(f"{k}: {v}" for k, v in _preamble(result)), ""]
    lines += _text_table(
        [_("Headline figures"), ""],
        [[("  " * f.level) + f.label, _display(f)] for f in result.headline.figures],
        [False, True],
    )
    for table in result.tables:
        lines += ["", table.title]
        lines += _text_table(
            [c.label for c in table.columns],
            [
                [cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)]
                for row in table.rows
            ],
            [c.kind != "text" for c in table.columns],
        )
        if table.note:
            lines.append(table.note)
    return ("\n".join(lines) + "\n").encode()


# --- CSV -----------------------------------------------------------------------------------------


def _csv_value(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, int):
        return value
    return neutralise(str(value))


def render_csv(result: ReportResult) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(f"Makassar Berjasa — {result.title}")])
    writer.writerows([_csv_value(k), _csv_value(v)] for k, v in _preamble(result))
    writer.writerow([])
    writer.writerow([_("Figure"), _("Value")])
    writer.writerows([_csv_value(f.label), _csv_value(f.value)] for f in result.headline.figures)
    for table in result.tables:
        writer.writerow([])
        writer.writerow([_csv_value(table.title)])
        writer.writerow([_csv_value(c.label) for c in table.columns])
        writer.writerows([_csv_value(v) for v in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8-sig")


# --- XLSX ----------------------------------------------------------------------------------------

XLSX_FORMATS = {COUNT: "#,##0", PERCENT: "0.00%", RUPIAH: '"Rp"#,##0'}


def _xlsx_cell(sheet, row: int, column: int, value, kind: str = "text"):
    target = sheet.cell(row=row, column=column)
    if value is None:
        return target
    if kind == PERCENT:
        target.value = float(value) / 100
    elif kind in XLSX_FORMATS:
        target.value = value
    else:
        target.value = str(value)
        target.data_type = "s"  # text, never a formula
        return target
    target.number_format = XLSX_FORMATS[kind]
    return target


SHEET_NAME_LIMIT = 31  # Excel's


def _sheet_title(name: str, taken: set[str]) -> str:
    """``name`` as a sheet may bear it, made unique in the workbook. Declared names fit (a test sees to it); the
    cut is for a report declared without care, which would otherwise not open in Excel."""
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:SHEET_NAME_LIMIT].strip()
    unique, n = base, 2
    while unique.lower() in taken:
        suffix = f" ({n})"
        unique, n = f"{base[: SHEET_NAME_LIMIT - len(suffix)]}{suffix}", n + 1
    taken.add(unique.lower())
    return unique


def render_xlsx(result: ReportResult) -> bytes:
    bold = Font(bold=True)
    workbook = Workbook()
    summary = workbook.active
    taken: set[str] = set()
    summary.title = _sheet_title(_("Summary"), taken)
    _xlsx_cell(summary, 1, 1, f"Makassar Berjasa — {result.title}").font = Font(bold=True, size=13)
    row = 2
    for label, value in _preamble(result):
        _xlsx_cell(summary, row, 1, label)
        _xlsx_cell(summary, row, 2, value)
        row += 1
    row += 1
    for figure in result.headline.figures:
        label = _xlsx_cell(summary, row, 1, figure.label)
        label.alignment = Alignment(indent=2 * figure.level)
        if figure.level == 0:
            label.font = bold
        _xlsx_cell(summary, row, 2, figure.value, figure.kind)
        row += 1
    summary.column_dimensions["A"].width = 58
    summary.column_dimensions["B"].width = 24

    for table in result.tables:
        sheet = workbook.create_sheet(_sheet_title(table.sheet, taken))
        _xlsx_cell(sheet, 1, 1, table.title).font = Font(bold=True, size=12)
        for col, column in enumerate(table.columns, start=1):
            heading = _xlsx_cell(sheet, 2, col, column.label)
            heading.font = bold
            heading.alignment = Alignment(wrap_text=True, vertical="top")
            width = max([len(column.label) // 2, *(len(str(r[col - 1])) for r in table.rows), 10])
            sheet.column_dimensions[heading.column_letter].width = min(width + 2, 48)
        for r, values in enumerate(table.rows, start=3):
            for col, (value, column) in enumerate(zip(values, table.columns, strict=True), start=1):
                _xlsx_cell(sheet, r, col, value, column.kind)
        if table.note:
            _xlsx_cell(sheet, len(table.rows) + 4, 1, table.note)
        sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- PDF -----------------------------------------------------------------------------------------

# DejaVu Sans ships with matplotlib, so the PDF has the same glyphs (’ – ≥ …) on every machine.
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


# The city's document style: the brand green, the rules between rows, the muted small print.
BRAND, RULE, MUTED = (
    colors.HexColor("#0b6e4f"),
    colors.HexColor("#d9dee5"),
    colors.HexColor("#5b6776"),
)


def register_fonts() -> None:
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", FONT_DIR / "DejaVuSans.ttf"))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", FONT_DIR / "DejaVuSans-Bold.ttf"))


# A table too wide for the page at the first size is set at the next, before its words are broken.
PDF_TABLE_FONT_SIZES = (8.0, 7.0, 6.0)


def _pdf_table_layout(table: Table, width: float) -> tuple[float, list[float]]:
    """The font size of a table (the largest of PDF_TABLE_FONT_SIZES at which every heading word and value fits
    in ``width``; else the smallest) and its column widths at that size."""
    for size in PDF_TABLE_FONT_SIZES:
        widths, fits = _pdf_column_widths(table, width, size)
        if fits:
            break
    return size, widths


def _pdf_column_widths(table: Table, width: float, size: float) -> tuple[list[float], bool]:
    """Numbers as wide as their widest value; text columns at least as wide as their longest word, sharing
    the rest of the page in proportion to what their values would need on one line. False with widths squeezed
    in proportion when even those minimums do not fit."""
    padding = 14  # points: the cell padding on both sides, and a little air

    def widest(texts: Iterable[str], font: str = "DejaVuSans") -> float:
        return max([pdfmetrics.stringWidth(t, font, size) for t in texts] or [0]) + padding

    minimum, desired = [], []
    for index, column in enumerate(table.columns):
        values = [cell(row[index], column.kind) for row in table.rows]
        heading_words = widest(column.label.split(), "DejaVuSans-Bold")
        if column.kind == "text":
            minimum.append(max(heading_words, widest(w for v in values for w in v.split())))
            desired.append(max(minimum[-1], min(widest(values), width * 0.45)))
        else:
            minimum.append(max(heading_words, widest(values)))
            desired.append(minimum[-1])
    spare = width - sum(minimum)
    if spare <= 0:
        return [w * width / sum(minimum) for w in minimum], False
    growth = [d - m for d, m in zip(desired, minimum, strict=True)]
    share = min(1.0, spare / sum(growth)) if sum(growth) else 0.0
    widths = [m + g * share for m, g in zip(minimum, growth, strict=True)]
    text_columns = [i for i, c in enumerate(table.columns) if c.kind == "text"] or [0]
    leftover = (width - sum(widths)) / len(text_columns)
    return [w + (leftover if i in text_columns else 0) for i, w in enumerate(widths)], True


def render_pdf(result: ReportResult) -> bytes:
    register_fonts()
    body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=8, leading=10)
    small = ParagraphStyle("small", parent=body, fontSize=7, leading=9, textColor=MUTED)
    heading = ParagraphStyle(
        "heading", parent=body, fontName="DejaVuSans-Bold", fontSize=8, leading=10
    )
    right = ParagraphStyle("right", parent=heading, alignment=TA_RIGHT)
    title = ParagraphStyle(
        "title", parent=body, fontName="DejaVuSans-Bold", fontSize=15, leading=19
    )
    h2 = ParagraphStyle(
        "h2",
        parent=body,
        fontName="DejaVuSans-Bold",
        fontSize=11,
        leading=14,
        spaceBefore=8,
        spaceAfter=4,
    )
    width = A4[0] - 30 * mm

    def text(value: str, style=body) -> Paragraph:
        return Paragraph(escape(value), style)

    def grid(
        rows: list[list],
        numeric: list[bool],
        widths: list[float],
        header: bool = True,
        size: float = 8,
    ) -> PdfTable:
        table = PdfTable(rows, colWidths=widths, repeatRows=1 if header else 0)
        commands = [
            ("FONTNAME", (0, 0), (-1, -1), "DejaVuSans"),
            ("FONTSIZE", (0, 0), (-1, -1), size),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        commands += [("ALIGN", (i, 0), (i, -1), "RIGHT") for i, n in enumerate(numeric) if n]
        if header:
            commands.append(("LINEBELOW", (0, 0), (-1, 0), 0.8, BRAND))
        table.setStyle(TableStyle(commands))
        return table

    story = [
        text(f"Makassar Berjasa — {result.title}", title),
        text(" · ".join(f"{k}: {v}" for k, v in _preamble(result)), small),
        Spacer(1, 4 * mm),
        text(_("Headline figures"), h2),
        grid(
            [
                [
                    text(("\u2003" * f.level) + f.label, heading if f.level == 0 else body),
                    _display(f),
                ]
                for f in result.headline.figures
            ],
            [False, True],
            [width * 0.72, width * 0.28],
            header=False,
        ),
    ]
    for table in result.tables:
        numeric = [c.kind != "text" for c in table.columns]
        size, widths = _pdf_table_layout(table, width)
        sized = {"fontSize": size, "leading": size + 2}
        cell_body = ParagraphStyle(f"body-{size}", parent=body, **sized)
        cell_heading = ParagraphStyle(f"heading-{size}", parent=heading, **sized)
        cell_right = ParagraphStyle(f"right-{size}", parent=right, **sized)
        rows = [
            [
                text(c.label, cell_right if n else cell_heading)
                for c, n in zip(table.columns, numeric, strict=True)
            ]
        ]
        rows += [
            [
                text(cell(v, c.kind), cell_body) if c.kind == "text" else cell(v, c.kind)
                for v, c in zip(row, table.columns, strict=True)
            ]
            for row in table.rows
        ]
        # The title, the chart and the first rows of the table stay on one page.
        block = [text(table.title, h2)]
        image = charts.png(table)
        if image is not None:
            picture = Image(io.BytesIO(image))
            scale = min(width / picture.drawWidth, 95 * mm / picture.drawHeight)
            picture.drawWidth, picture.drawHeight = (
                picture.drawWidth * scale,
                picture.drawHeight * scale,
            )
            block += [picture, Spacer(1, 2 * mm)]
        chart_height = sum(getattr(flowable, "drawHeight", 0) for flowable in block)
        story += [CondPageBreak(chart_height + 40 * mm), KeepTogether(block)]
        story.append(grid(rows, numeric, widths, size=size))
        if table.note:
            story += [Spacer(1, 1 * mm), text(table.note, small)]

    return build_pdf(story, f"{result.title} {result.params.period.key}")


def build_pdf(story: list, title: str) -> bytes:
    """An A4 document of the city's style (margins, author, footer) from ``story``; byte-identical on reruns."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=16 * mm,
        title=f"Makassar Berjasa — {title}",
        author="Dinas Ketenagakerjaan Kota Makassar",
        invariant=True,
    )
    document.build(story, onFirstPage=pdf_footer, onLaterPages=pdf_footer)
    return buffer.getvalue()


def pdf_footer(canvas, document) -> None:
    """Every page of the city's PDFs: who made it, and the page number."""
    canvas.saveState()
    canvas.setFont("DejaVuSans", 7)
    canvas.setFillColor(MUTED)
    canvas.drawString(15 * mm, 10 * mm, _("Makassar Berjasa · Dinas Ketenagakerjaan Kota Makassar"))
    canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, _("Page %(page)d") % {"page": document.page})
    canvas.restoreState()


# --- JSON ----------------------------------------------------------------------------------------


def render_json(result: ReportResult) -> bytes:
    return json.dumps(result.as_dict(), ensure_ascii=False, indent=2).encode()


EXPORTERS: dict[str, Exporter] = {
    e.identifier: e
    for e in (
        Exporter("table", gettext_lazy("Table"), "txt", "text/plain; charset=utf-8", render_text),
        Exporter("csv", gettext_lazy("CSV"), "csv", "text/csv; charset=utf-8", render_csv),
        Exporter(
            "xlsx",
            gettext_lazy("Excel (XLSX)"),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            render_xlsx,
        ),
        Exporter("pdf", gettext_lazy("PDF"), "pdf", "application/pdf", render_pdf),
        Exporter("json", gettext_lazy("JSON"), "json", "application/json", render_json),
    )
}
# What the dashboard offers for every table.
DOWNLOAD_FORMATS = ("csv", "xlsx", "pdf")
