"""CSV files in and out, the one way every app does it.

Out: every cell is guarded against formula injection (OWASP, "CSV Injection"). In: a reader
that never raises on any bytes and says what is wrong by the line of the file a person sees
in a text editor — a quoted cell may span lines, so a record's number is not its line. The
importers (measure values, sign-in sheets) check the meaning of the rows; this module only
reads them. No models here: it sits in the lowest app so every layer may use it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

# A cell starting with one of these is a formula to a spreadsheet (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE_BREAK_BYTES = re.compile(rb"\r\n|\r|\n")

Row = tuple[int, list[str]]


@dataclass(frozen=True)
class Problem:
    """What is wrong, where: ``line`` 0 means the whole file, ``column`` "" no one column."""

    line: int
    column: str
    message: str


class ImportRejected(Exception):
    """The file was not saved; ``problems`` says why, line by line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def safe_cell(value: object) -> str:
    """The value as a spreadsheet will show it, never run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[object], rows: Iterable[Iterable[object]]) -> str:
    """A CSV of a header row and rows, every cell safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()


def read_rows(data: bytes, *, max_bytes: int, max_rows: int,
              max_cell: int = 10_000) -> tuple[list[str], list[Row], list[Problem]]:
    """Read a CSV file's header (lower-cased, stripped) and its non-blank rows, each with the
    file line it starts on, plus the problems met. Never raises. An empty header with
    problems means the file could not be read at all; otherwise the rows read before a
    problem that stops the reading (a broken record, too many rows) are returned, so the
    caller can check them too and list every problem at once."""
    text, problem = _decode(data, max_bytes)
    if problem is not None:
        return [], [], [problem]
    # The file is at most max_bytes characters, so no cell can pass this limit: an over-long
    # cell is then our Problem below, never csv's "field larger than field limit" error.
    if csv.field_size_limit() < max_bytes + 1:
        csv.field_size_limit(max_bytes + 1)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        first = next(reader, [])
    except csv.Error as error:
        return [], [], [_unreadable(1, error)]
    if any(len(cell) > max_cell for cell in first):
        return [], [], [Problem(1, "", _("A cell is longer than %(n)s characters.") % {"n": max_cell})]
    header = [cell.strip().lower() for cell in first]
    rows: list[Row] = []
    problems: list[Problem] = []
    ended = reader.line_num  # the line the header ended on
    while True:
        # A record starts on the line after the previous one ended; a blank line is a
        # record of its own, so this counts every line of the file.
        start = ended + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(_unreadable(start, error))
            break
        ended = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # spreadsheets leave blank lines at the end
        if len(rows) >= max_rows:
            problems.append(Problem(start, "", _("More than %(rows)s rows; split the file.")
                                    % {"rows": max_rows}))
            break
        too_long = [index for index, cell in enumerate(cells) if len(cell) > max_cell]
        if too_long:
            index = too_long[0]
            problems.append(Problem(start, header[index] if index < len(header) else "",
                                    _("A cell is longer than %(n)s characters.") % {"n": max_cell}))
            continue
        rows.append((start, cells))
    return header, rows, problems


def _decode(data: bytes, max_bytes: int) -> tuple[str, Problem | None]:
    if len(data) > max_bytes:
        return "", Problem(0, "", _("The file is larger than %(size)s kB; split it.")
                           % {"size": max_bytes // 1000})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # The error's offsets count from after a byte-order mark, in error.object.
        line = len(_LINE_BREAK_BYTES.findall(error.object[:error.start])) + 1
        return "", Problem(line, "", _("The file is not UTF-8 text; save it as “CSV UTF-8”."))
    if "\x00" in text:
        line = len(_LINE_BREAK.findall(text[:text.index("\x00")])) + 1
        return "", Problem(line, "", _("The line holds a NUL character: the file is not a CSV "
                                       "sheet (was it saved from a spreadsheet as CSV?)."))
    return text, None


def _unreadable(line: int, error: csv.Error) -> Problem:
    return Problem(line, "", _("The line cannot be read as CSV: %(error)s") % {"error": error})
