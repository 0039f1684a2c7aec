"""A monthly report as an A4 PDF, drawn by WeasyPrint: the snapshot the job built, a static
SVG run chart per measure, the team's narrative and both scores.

WeasyPrint never touches the network: the only thing it may open is a file under the static
directory (the print stylesheet); anything else is refused, whatever the HTML asks for.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import slugify
from weasyprint import HTML, URLFetcher

from measures import aggregates
from measures.svg_charts import run_chart_svg
from reports import scale
from reports.collaborative_report import CollaborativeMonth
from reports.models import MonthlyReport
from reports.snapshots import team_lines_until
from teams.models import Team


class StaticFilesOnly(URLFetcher):
    """Opens ``file:`` URLs inside ``root`` and nothing else: no http(s), ftp or data, no
    file outside the static directory."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.root = root.resolve()

    def fetch(self, url: str, headers: dict | None = None):
        parts = urlsplit(url)
        path = Path(url2pathname(parts.path)).resolve() if parts.scheme == "file" else None
        if path is None or parts.netloc not in ("", "localhost") or not path.is_relative_to(self.root):
            raise ValueError(f"Not a local static file: {url}")
        return super().fetch(url, headers)


def static_root() -> Path:
    return Path(settings.BASE_DIR) / "static"


def report_pdf(report: MonthlyReport) -> bytes:
    """The report as PDF bytes (tagged, so screen readers can follow it)."""
    return _pdf("reports/report_pdf.html", report_pdf_context(report))


def _pdf(template: str, context: dict) -> bytes:
    """Render the template and draw it, tagged (screen readers can follow it), opening local
    static files only."""
    root = static_root()
    html = render_to_string(template, context)
    return HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=StaticFilesOnly(root)).write_pdf(
        pdf_tags=True)


def report_pdf_filename(report: MonthlyReport) -> str:
    slug = slugify(report.team.name) or f"team-{report.team_id}"
    return f"bsc-report-{slug}-{report.month:%Y-%m}.pdf"


def report_pdf_context(report: MonthlyReport) -> dict:
    team = report.team
    snapshot = report.snapshot or {}
    charts = team_run_charts(team, report.month)
    measures = []
    for row in snapshot.get("measures", []):
        chart, latest = charts.get(row["id"], (None, None))
        measures.append({**row, "chart": chart,
                         "changed": chart is not None and not _same(latest, row.get("value"))})
    self_level, advisor_level = scale.level_of(report.self_score), scale.level_of(report.advisor_score)
    return {
        "report": report, "team": team, "collaborative": team.collaborative,
        "cycles": snapshot.get("cycles", {}), "composition": snapshot.get("composition", {}),
        "measures": measures, "self_level": self_level, "advisor_level": advisor_level,
        "gap": report.score_gap is not None and report.score_gap >= scale.GAP,
        "submitted_by": report.submitted_by_name,
        "printed_at": timezone.localtime(),
    }


def team_run_charts(team: Team, month: datetime.date) -> dict[int, tuple[SafeString, float | None]]:
    """Each measure's run chart of the team up to ``month``, with the month's value, from the
    lines the snapshot reads (``reports.snapshots.team_lines_until``)."""
    return {measure.pk: (run_chart_svg(line, show_title=False, chart_id=f"chart-{measure.pk}"),
                         line.values[-1])
            for measure, line in team_lines_until(team, month)}


def _same(now: float | None, then: float | None) -> bool:
    if now is None or then is None:
        return now is then
    return abs(now - then) < 1e-6


def collaborative_month_pdf(report: CollaborativeMonth) -> bytes:
    """The collaborative's monthly summary as PDF bytes: the same aggregates as the page, each
    outcome measure drawn from the aggregate layer's public figures."""
    charts = {line.measure.pk: run_chart_svg(aggregates.public_figures(line.measure).collaborative,
                                             show_title=False, chart_id=f"outcome-{line.measure.pk}")
              for line in report.outcomes}
    return _pdf("reports/collaborative_summary_pdf.html", {
        "report": report, "collaborative": report.collaborative, "printed_at": timezone.localtime(),
        "outcomes": [(line, charts[line.measure.pk]) for line in report.outcomes],
    })


def collaborative_month_pdf_filename(report: CollaborativeMonth) -> str:
    return f"bsc-summary-{slugify(report.collaborative.name)[:60]}-{report.month:%Y-%m}.pdf"
