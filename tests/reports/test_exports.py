"""The shared CSV and Excel writer every dashboard's export goes through."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.http import Http404
from openpyxl import load_workbook

from reports.exports import Table, csv_response, export_response, sheet_title, xlsx_response

PEOPLE = Table(
    title="People reached",
    header=["name", "programs", "share", "rate", "since", "note"],
    rows=[
        ["Pyramid Model modules", 12, 0.25, Decimal("1.50"), datetime.date(2025, 3, 1), None],
        ["Coaching", -3, 1.0, Decimal("0"), None, "fine"],
    ],
)

NASTY = Table(
    title="Nasty",
    header=["=header", "plain"],
    rows=[["=HYPERLINK(\"http://evil\")", "+1"], ["-2+3", "@SUM(A1)"], ["\tTab", "\rReturn"],
          ["ok", "a=b"]],
)


def read_csv(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.content))


def test_it_writes_one_table_as_a_plain_csv_with_a_byte_order_mark():
    response = csv_response("people", [PEOPLE])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    rows = read_csv(response)
    assert rows[0] == PEOPLE.header
    assert rows[1] == ["Pyramid Model modules", "12", "0.25", "1.50", "2025-03-01", ""]
    assert rows[2] == ["Coaching", "-3", "1.0", "0", "", "fine"]


def test_it_writes_several_tables_each_under_its_title_with_a_blank_line_between():
    rows = read_csv(csv_response("both.csv", [PEOPLE, NASTY]))
    assert rows[0] == ["People reached"]
    assert rows[1] == PEOPLE.header
    assert rows[4] == []
    assert rows[5] == ["Nasty"]
    assert rows[6] == ["'=header", "plain"]


def test_it_guards_csv_text_cells_against_formulas_but_leaves_numbers_alone():
    rows = read_csv(csv_response("nasty", [NASTY]))
    assert rows[1] == ["'=HYPERLINK(\"http://evil\")", "'+1"]
    assert rows[2] == ["'-2+3", "'@SUM(A1)"]
    assert rows[3] == ["'\tTab", "'\rReturn"]
    assert rows[4] == ["ok", "a=b"]
    assert read_csv(csv_response("people", [PEOPLE]))[2][1] == "-3"


def test_it_writes_one_sheet_per_table_with_numbers_as_numbers_and_dates_as_dates():
    response = xlsx_response("people", [PEOPLE, NASTY])
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response["Content-Disposition"] == 'attachment; filename="people.xlsx"'
    workbook = read_xlsx(response)
    assert workbook.sheetnames == ["People reached", "Nasty"]
    sheet = workbook["People reached"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == PEOPLE.header
    _name, programs, share, rate, since, note = values[1]
    assert (programs, share, rate, note) == (12, 0.25, 1.5, None)
    assert isinstance(programs, int)
    assert since == datetime.datetime(2025, 3, 1)
    assert sheet["E2"].is_date
    assert values[2][1] == -3
    assert sheet["A1"].font.bold
    assert not sheet["A2"].font.bold
    assert sheet.column_dimensions["A"].width >= len("Pyramid Model modules")


def test_it_guards_xlsx_text_cells_against_formulas():
    sheet = read_xlsx(xlsx_response("nasty", [NASTY]))["Nasty"]
    assert sheet["A1"].value == "'=header"
    assert sheet["A2"].value == "'=HYPERLINK(\"http://evil\")"
    assert sheet["A2"].data_type == "s"
    assert [sheet["B2"].value, sheet["A3"].value, sheet["B3"].value] == ["'+1", "'-2+3", "'@SUM(A1)"]
    assert sheet["B5"].value == "a=b"


def test_it_makes_sheet_titles_excel_accepts_and_unique():
    used: set[str] = set()
    long = "Counts and reach per quadrant of the matrix"
    assert sheet_title(long, used) == long[:31]
    assert sheet_title(long, used) == long[:27] + " (2)"
    assert sheet_title("a/b:c[d]*?\\", used) == "a-b-c-d----"
    assert sheet_title("''", used) == "Sheet"
    assert sheet_title("history", used) == "History table"
    assert all(len(name) <= 31 for name in used)


def test_it_writes_sheets_whose_titles_clash():
    workbook = read_xlsx(xlsx_response("x", [Table("Same", ["a"], [[1]]), Table("same", ["b"], [[2]])]))
    assert workbook.sheetnames == ["Same", "same (2)"]


def test_it_makes_the_file_name_safe():
    response = csv_response('../../etc/"pass wd";.csv', [PEOPLE])
    assert response["Content-Disposition"] == 'attachment; filename="pass-wd.csv"'
    assert xlsx_response("", [PEOPLE])["Content-Disposition"] == 'attachment; filename="export.xlsx"'


def test_it_drops_characters_excel_cannot_hold():
    sheet = read_xlsx(xlsx_response("x", [Table("T", ["a"], [["bell\x07here"]])]))["T"]
    assert sheet["A2"].value == "bellhere"


@pytest.mark.parametrize(("fmt", "kind"), [("csv", "text/csv"), ("xlsx", "spreadsheetml")])
def test_it_exports_in_the_format_asked(fmt, kind):
    assert kind in export_response(fmt, "people", [PEOPLE])["Content-Type"]


def test_it_refuses_an_unknown_format():
    with pytest.raises(Http404):
        export_response("pdf", "people", [PEOPLE])
