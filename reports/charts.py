"""The assessment scores of a team over time: its self-score and its advisor's, months
where they differ by 1.0 or more marked (the gap is a conversation to have)."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from measures.charts import BLUE, ORANGE, PURPLE
from reports import scale
from reports.models import MonthlyReport


def score_chart(reports: list[MonthlyReport]) -> dict:
    """A Plotly figure (plain dict) of the two scores, oldest month first."""
    reports = sorted(reports, key=lambda report: report.month)
    x = [report.month.isoformat() for report in reports]

    def line(name: str, values: list, color: str, symbol: str) -> dict:
        return {"type": "scatter", "mode": "lines+markers", "name": name, "x": x, "y": values,
                "connectgaps": False, "hoverinfo": "name+x+y", "line": {"color": color, "width": 2},
                "marker": {"color": color, "size": 8, "symbol": symbol}}

    data = [
        line(_("Team's self-score"), [_float(r.self_score) for r in reports], BLUE, "circle"),
        line(_("Advisor's score"), [_float(r.advisor_score) for r in reports], PURPLE, "square"),
    ]
    gaps = [r for r in reports if r.score_gap is not None and r.score_gap >= scale.GAP]
    if gaps:
        data.append({"type": "scatter", "mode": "markers", "name": _("Scores 1.0 or more apart"),
                     "x": [r.month.isoformat() for r in gaps],
                     "y": [float(max(r.self_score, r.advisor_score)) + 0.25 for r in gaps],
                     "hoverinfo": "name+x", "marker": {"color": ORANGE, "size": 12, "symbol": "diamond",
                                                       "line": {"color": "#000000", "width": 1}}})
    return {"data": data, "layout": {
        "height": 320, "margin": {"l": 48, "r": 16, "t": 16, "b": 40},
        "xaxis": {"type": "date", "tickformat": "%b %Y", "dtick": "M1" if len(x) <= 12 else "M3"},
        "yaxis": {"title": {"text": _("Assessment scale")}, "range": [0, 5.5], "dtick": 0.5},
        "legend": {"orientation": "h", "y": -0.2}, "hovermode": "closest",
        "font": {"family": "system-ui, sans-serif", "color": "#212529"},
    }}


def score_summary(reports: list[MonthlyReport]) -> str:
    scored = sorted((r for r in reports if r.self_score is not None or r.advisor_score is not None),
                    key=lambda report: report.month)
    if not scored:
        return _("No scores yet.")
    latest = scored[-1]
    gaps = sum(1 for r in scored if r.score_gap is not None and r.score_gap >= scale.GAP)
    sentence = _("Latest (%(month)s): the team %(team)s, the advisor %(advisor)s.") % {
        "month": date_format(latest.month, "YEAR_MONTH_FORMAT"),
        "team": latest.self_score if latest.self_score is not None else "—",
        "advisor": latest.advisor_score if latest.advisor_score is not None else "—"}
    if gaps:
        sentence += " " + ngettext("In %(count)s month the scores were 1.0 or more apart.",
                                   "In %(count)s months the scores were 1.0 or more apart.",
                                   gaps) % {"count": gaps}
    return sentence


def _float(number: object) -> float | None:
    return None if number is None else float(number)
