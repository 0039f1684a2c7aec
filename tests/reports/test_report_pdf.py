"""The monthly report as a PDF: for the team and its advisor only, with the month's data,
the narrative and a run chart per measure, drawn without the network."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from measures.models import MeasureValue
from measures.months import add_months, month_start
from reports import pdf, services
from tests.factories import MeasureFactory, MeasureValueFactory

pytestmark = pytest.mark.django_db
LAST_MONTH = add_months(month_start(timezone.localdate()), -1)


@pytest.fixture
def report(world):
    fidelity = MeasureFactory(collaborative=world.collaborative, name="Classrooms with fidelity",
                              goal=Decimal("80"))
    for i, numerator in enumerate([2, 3, 2, 4, 3, 5]):
        MeasureValueFactory(team=world.team_a, measure=fidelity, month=add_months(LAST_MONTH, i - 5),
                            numerator=numerator, denominator=10)
    report = services.monthly_report_build(team=world.team_a, month=LAST_MONTH)
    return services.monthly_report_save(report=report, successes="Calmer arrivals in the toddler room",
                                        self_score=Decimal("2.5"))


def download(client, user, report):
    client.force_login(user)
    return client.get(reverse("reports:report-pdf", args=[report.pk]))


def pages_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_it_gives_a_team_member_the_pdf_to_download(client, world, report):
    response = download(client, world.member_a, report)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="bsc-report-team-a-{LAST_MONTH:%Y-%m}.pdf"')
    assert response.content.startswith(b"%PDF-")


def test_it_gives_the_advisor_the_pdf(client, world, report):
    response = download(client, world.advisor, report)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("persona", ["member_b", "state_viewer", "other_advisor", "stranger"])
def test_it_answers_404_to_whoever_may_not_know_the_report_exists(client, world, report, persona):
    assert download(client, getattr(world, persona), report).status_code == 404


def test_it_sends_an_anonymous_visitor_to_sign_in(client, report):
    response = client.get(reverse("reports:report-pdf", args=[report.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_keeps_the_pdf_out_of_shared_caches(client, world, report):
    assert "private" in download(client, world.member_a, report)["Cache-Control"]


def test_it_links_the_pdf_from_the_report_page(client, world, report):
    client.force_login(world.member_a)
    text = client.get(report.get_absolute_url()).text
    assert reverse("reports:report-pdf", args=[report.pk]) in text
    assert "Download PDF" in text


def test_it_puts_the_month_the_narrative_and_a_run_chart_in_the_pdf(world, report):
    data = pdf.report_pdf(report)
    reader = PdfReader(io.BytesIO(data))
    text = pages_text(data)
    assert len(reader.pages) >= 1
    assert "Team A" in text
    assert f"Report for {LAST_MONTH:%B %Y}" in text
    assert "Classrooms with fidelity" in text
    assert "Calmer arrivals in the toddler room" in text
    assert "2.5 — Changes tested, but no improvement" in text
    # The chart, drawn as vector text: its axis, a month name and its goal line.
    assert "Percent" in text
    assert f"{LAST_MONTH:%b}" in text
    assert "Goal 80%" in text


def test_it_escapes_typed_text_in_the_chart(world, report):
    measure = MeasureFactory(collaborative=world.collaborative, name="<script>alert(1)</script>")
    MeasureValueFactory(team=world.team_a, measure=measure, month=LAST_MONTH)
    chart, _value = pdf.team_run_charts(world.team_a, LAST_MONTH)[measure.pk]
    assert "<script>" not in chart
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in chart


def test_it_reads_every_value_in_one_query(world, report, django_assert_num_queries):
    for name in ("Turnover", "Family contacts", "Staff well-being"):
        MeasureFactory(collaborative=world.collaborative, name=name)
    with django_assert_num_queries(4):  # the measures, their strata, every value, the phases
        charts = pdf.team_run_charts(world.team_a, LAST_MONTH)
    assert len(charts) == 4


def test_it_says_when_the_values_changed_after_the_report_was_built(world, report):
    MeasureValue.objects.filter(team=world.team_a, month=LAST_MONTH).update(numerator=9)
    [measure] = pdf.report_pdf_context(report)["measures"]
    assert measure["changed"]


def test_it_opens_only_local_static_files():
    fetcher = pdf.StaticFilesOnly(pdf.static_root())
    stylesheet = fetcher.fetch((pdf.static_root() / "css" / "report_pdf.css").as_uri())
    assert b"@page" in stylesheet.read()
    for url in ("https://example.org/font.woff", "http://127.0.0.1:8000/static/css/portal.css",
                "ftp://example.org/x.css", "data:text/css,body{}", "file:///etc/passwd",
                (pdf.static_root() / ".." / "manage.py").as_uri()):
        with pytest.raises(ValueError, match="Not a local static file"):
            fetcher.fetch(url)
