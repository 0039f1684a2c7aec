"""The one CSV reader and writer: every problem said by the line a person sees in the file,
never an exception, and every cell written safe to open in a spreadsheet."""

import csv
import random

import pytest

from collaboratives.csvfiles import FORMULA_STARTS, csv_text, read_rows, safe_cell


def read(data: bytes, **limits):
    return read_rows(data, **{"max_bytes": 1_000_000, "max_rows": 100, **limits})


@pytest.fixture
def default_field_limit():
    """csv's own limit (131,072), as a fresh process has it: a longer cell must still be ours."""
    before = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(before)


def test_it_reads_a_header_and_rows_through_a_bom_crlf_and_blank_lines():
    data = b"\xef\xbb\xbf Email , HOURS\r\nana@example.org,6\r\n\r\n,\r\nbo@example.org,4\r\n\r\n"
    header, rows, problems = read(data)
    assert header == ["email", "hours"]
    assert rows == [(2, ["ana@example.org", "6"]), (5, ["bo@example.org", "4"])]
    assert problems == []


def test_it_reads_an_empty_file_as_no_header_and_no_problem():
    assert read(b"") == ([], [], [])


def test_it_refuses_a_nul_byte_with_its_line():
    header, rows, [problem] = read(b"a,b\r\n1,2\r\n3\x004,5\r\n")
    assert (header, rows, problem.line, problem.column) == ([], [], 3, "")
    assert "NUL" in problem.message


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_it_refuses_text_that_is_not_utf8_with_its_line(bom):
    header, rows, [problem] = read(bom + "name,n\nJosé,1\n".encode("latin-1"))
    assert (header, rows, problem.line) == ([], [], 2)
    assert "not UTF-8" in problem.message


def test_it_numbers_rows_by_their_file_line_after_a_quoted_cell_that_spans_lines():
    data = b'email,note\nana@x.org,"came\nlate"\nbo@x.org,' + b"x" * 11 + b"\ncy,ok\n"
    header, rows, [problem] = read(data, max_cell=10)
    assert header == ["email", "note"]
    assert rows == [(2, ["ana@x.org", "came\nlate"]), (5, ["cy", "ok"])]
    assert (problem.line, problem.column) == (4, "note")  # the fourth line, the third record
    assert "longer than 10 characters" in problem.message


def test_it_reports_a_huge_cell_as_a_problem_not_an_exception(default_field_limit):
    data = b"email,note\nana@example.org," + b"x" * 200_000 + b"\nbo@example.org,fine\n"
    _header, rows, [problem] = read(data)
    assert rows == [(3, ["bo@example.org", "fine"])]
    assert (problem.line, problem.column) == (2, "note")
    assert "longer than 10000 characters" in problem.message


def test_it_names_no_column_for_a_long_cell_beyond_the_header():
    _header, _rows, [problem] = read(b"email\nana@x.org," + b"x" * 20 + b"\n", max_cell=10)
    assert (problem.line, problem.column) == (2, "")


def test_it_refuses_a_header_with_a_huge_cell(default_field_limit):
    assert read(b"x" * 200_000 + b"\n1\n")[:2] == ([], [])


def test_it_stops_at_too_many_rows_and_keeps_those_read():
    _header, rows, [problem] = read(b"n\n1\n\n2\n3\n4\n", max_rows=2)
    assert [line for line, _cells in rows] == [2, 4]
    assert problem.line == 5
    assert "More than 2 rows" in problem.message


def test_it_refuses_a_file_over_the_size_limit_as_a_whole():
    _header, _rows, [problem] = read(b"n\n" + b"1\n" * 10, max_bytes=10)
    assert (problem.line, problem.column) == (0, "")


def test_it_never_raises_on_any_bytes(default_field_limit):
    pieces = [b'"', b",", b"\n", b"\r", b"\r\n", b"\x00", b"\xff", b"\xc3", b"\xa9", b"a", b"=1",
              b"\xef\xbb\xbf", b'""', b"x" * 40]
    chance = random.Random(10)
    for _ in range(2_000):
        data = b"".join(chance.choice(pieces) for _ in range(chance.randint(0, 30)))
        _header, rows, problems = read(data, max_cell=30, max_rows=5)
        assert all(isinstance(line, int) and line >= 1 for line, _cells in rows)
        assert all(problem.line >= 0 for problem in problems)


def test_it_guards_cells_that_a_spreadsheet_would_run():
    assert FORMULA_STARTS == ("=", "+", "-", "@", "\t", "\r")
    assert [safe_cell(v) for v in ("=1+1", "+1", "-2", "@a", "\tx", "\ry", "ok", "a=b", None, 3)] == [
        "'=1+1", "'+1", "'-2", "'@a", "'\tx", "'\ry", "ok", "a=b", "", "3"]


def test_it_writes_a_header_and_rows_with_every_cell_guarded():
    text = csv_text(["=name", "n"], [['=HYPERLINK("http://x","y")', 1], ["Ana", None]])
    assert list(csv.reader(text.splitlines())) == [
        ["'=name", "n"], ["'=HYPERLINK(\"http://x\",\"y\")", "1"], ["Ana", ""]]
