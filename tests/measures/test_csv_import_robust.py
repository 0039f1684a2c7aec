"""Issue 10, item 6: a CSV the import cannot take gets line-numbered problems on the page —
the line a person sees in the file, and the column where there is one — never a 500, and
nothing is saved."""

import csv

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures.models import MeasureValue
from tests.factories import MeasureFactory

pytestmark = pytest.mark.django_db
HEADER = b"month,measure,group,numerator,denominator,note\n"


@pytest.fixture
def percent(world):
    return MeasureFactory(collaborative=world.collaborative, name="Fidelity")


@pytest.fixture
def default_field_limit():
    """csv's own limit (131,072 characters), as a fresh process has it."""
    before = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(before)


def upload(client, world, body: bytes):
    client.force_login(world.member_a)
    return client.post(reverse("measures:team-data-import", args=[world.team_a.pk]),
                       {"file": SimpleUploadedFile("data.csv", HEADER + body, "text/csv")})


def shown(response) -> list[tuple[int, str]]:
    assert response.status_code == 200
    assert "Nothing was saved" in response.text
    assert not MeasureValue.objects.exists()
    return [(problem.line, problem.column) for problem in response.context["problems"]]


def test_it_refuses_a_nul_byte_by_its_line(client, world, percent):
    response = upload(client, world, b"2026-09,Fidelity,,3,6,\n2026-10,Fidelity,,3,6,a\x00b\n")
    assert shown(response) == [(3, "")]
    assert "NUL character" in response.text


def test_it_refuses_a_huge_cell_by_its_line_and_column(client, world, percent, default_field_limit):
    response = upload(client, world, b"2026-09,Fidelity,,3,6," + b"x" * 200_000 + b"\n"
                                     b"2026-10,Fidelity,,3,6,\n")
    assert shown(response) == [(2, "note")]
    assert "longer than" in response.text
    assert "<td>2</td><td>note</td>" in response.text


def test_it_numbers_lines_of_the_file_after_a_quoted_cell_that_spans_two(client, world, percent):
    response = upload(client, world, b'2026-09,Fidelity,,3,6,"came\nlate"\n2026-10,Fidelity,,two,6,\n')
    assert shown(response) == [(4, "numerator")]  # the fourth line, though the third record
    assert "<td>4</td><td>numerator</td>" in response.text


@pytest.mark.parametrize(("number", "words"), [
    ("3.125", "decimal places"),
    ("12345678901234", "digits"),
])
def test_it_names_the_line_and_column_of_a_number_the_database_cannot_keep(
        client, world, percent, number, words):
    response = upload(client, world, f"2026-09,Fidelity,,1,6,\n2026-10,Fidelity,,2,{number},\n".encode())
    assert shown(response) == [(3, "denominator")]
    assert words in response.context["problems"][0].message
