"""CSV and Excel downloads of the tables a dashboard shows, for every dashboard.

A page builds its tables once as `Table`s (already scoped and suppressed by the access
module and the aggregate layer) and hands them here; this module only writes them. Both
formats guard against formula injection (OWASP, "CSV Injection"): a text cell that a
spreadsheet would read as a formula is prefixed with an apostrophe. Numbers stay numbers
and dates stay dates, so a viewer can sum and sort them.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from collaboratives.csvfiles import safe_cell

Cell = str | int | float | Decimal | datetime.date | None

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_SHEET_NAME_MAX = 31  # Excel's limit
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_CELL_TEXT_MAX = 32767  # Excel's limit for one cell
_WIDTH_MIN, _WIDTH_MAX = 8, 60


@dataclass(frozen=True)
class Table:
    """One table of a page: a title (the CSV's title line, the workbook's sheet name), a
    header row and data rows whose cells are str, int, float, Decimal, date or None."""

    title: str
    header: list[str]
    rows: list[list[object]]


def safe_text(text: str) -> str:
    """The text as a spreadsheet will show it, never run it (the one guard, csvfiles')."""
    return safe_cell(text)


# --- CSV ----------------------------------------------------------------------------------

def csv_response(filename: str, tables: list[Table]) -> HttpResponse:
    """The tables as one CSV file: UTF-8 with a byte-order mark so Excel reads accents;
    with several tables, each starts with its title line and a blank line separates them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    several = len(tables) > 1
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        if several:
            writer.writerow([safe_text(str(table.title))])
        writer.writerow([_csv_cell(cell) for cell in table.header])
        for row in table.rows:
            writer.writerow([_csv_cell(cell) for cell in row])
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type=CSV_TYPE)
    response["Content-Disposition"] = _attachment(filename, "csv")
    return response


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value == value else ""  # NaN is no figure
    if isinstance(value, datetime.datetime):
        return _naive(value).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return safe_text(str(value))


# --- Excel --------------------------------------------------------------------------------

def xlsx_response(filename: str, tables: list[Table]) -> HttpResponse:
    """The tables as an Excel workbook, one sheet per table: a bold, frozen header row,
    columns wide enough to read, numbers as numbers and dates as dates."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in tables or [Table("Sheet", [], [])]:
        sheet = workbook.create_sheet(sheet_title(table.title, used))
        _fill_sheet(sheet, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = _attachment(filename, "xlsx")
    return response


def _fill_sheet(sheet, table: Table) -> None:
    bold = Font(bold=True)
    widths: dict[int, int] = {}
    rows: Iterable[list[object]] = [table.header, *table.rows]
    for row_index, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_index, column=column, value=_xlsx_cell(value))
            if row_index == 1:
                cell.font = bold
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            widths[column] = max(widths.get(column, 0), _display_width(cell.value))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(
            max(width + 2, _WIDTH_MIN), _WIDTH_MAX)
    if table.header:
        sheet.freeze_panes = "A2"


def _xlsx_cell(value: object) -> object:
    if value is None or isinstance(value, bool | int | Decimal | datetime.date):
        return _naive(value) if isinstance(value, datetime.datetime) else value
    if isinstance(value, float):
        return value if value == value else None
    text = ILLEGAL_CHARACTERS_RE.sub("", safe_text(str(value)))
    return text[:_CELL_TEXT_MAX]


def _display_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def sheet_title(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\, not starting
    or ending with an apostrophe, not "History", and unique in the workbook (Excel
    compares names without regard to case). Adds the name to `used`."""
    name = _SHEET_FORBIDDEN.sub("-", ILLEGAL_CHARACTERS_RE.sub("", str(title))).strip().strip("'")
    name = name[:_SHEET_NAME_MAX].strip() or "Sheet"
    if name.lower() == "history":
        name = "History table"
    candidate, number = name, 1
    while candidate.lower() in used:
        number += 1
        suffix = f" ({number})"
        candidate = name[:_SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
    used.add(candidate.lower())
    return candidate


# --- Both ---------------------------------------------------------------------------------

def export_response(fmt: str, filename: str, tables: list[Table]) -> HttpResponse:
    """The tables as `fmt` ("csv" or "xlsx"); any other format is a page that is not there."""
    if fmt == "csv":
        return csv_response(filename, tables)
    if fmt == "xlsx":
        return xlsx_response(filename, tables)
    raise Http404("No such export format.")


def safe_filename(filename: str, extension: str) -> str:
    """A download name with nothing a browser or a file system could misread: letters,
    digits, dot, dash and underscore only, and the format's extension."""
    stem = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if stem.lower().endswith("." + extension):
        stem = stem[: -len(extension) - 1]
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-_")[:100] or "export"
    return f"{stem}.{extension}"


def _attachment(filename: str, extension: str) -> str:
    return content_disposition_header(True, safe_filename(filename, extension))


def _naive(value: datetime.datetime) -> datetime.datetime:
    """Excel has no time zones: show an aware time in the portal's zone."""
    if timezone.is_aware(value):
        return timezone.make_naive(value)
    return value
