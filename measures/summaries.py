"""Sentences that say what a chart shows, for its caption, its screen-reader label and the
API: the text alternative every chart carries."""

from __future__ import annotations

import datetime

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from measures import privacy
from measures.formatting import format_value
from measures.models import Measure
from measures.series import LARGE_DENOMINATOR, Series

# NHS Making Data Count icons in words (the icon is drawn beside them, never alone).
VARIATION_WORDS = {
    "common_cause": gettext_lazy("Common cause: no significant change"),
    "improvement_high": gettext_lazy("Special cause: improvement (higher)"),
    "improvement_low": gettext_lazy("Special cause: improvement (lower)"),
    "concern_high": gettext_lazy("Special cause: concern (higher)"),
    "concern_low": gettext_lazy("Special cause: concern (lower)"),
    "neutral_high": gettext_lazy("Special cause: higher (neither better nor worse)"),
    "neutral_low": gettext_lazy("Special cause: lower (neither better nor worse)"),
}
# The same, short, for a cell of a table whose column names the measure.
VARIATION_SHORT = {
    "common_cause": gettext_lazy("No significant change"),
    "improvement_high": gettext_lazy("Improvement (higher)"),
    "improvement_low": gettext_lazy("Improvement (lower)"),
    "concern_high": gettext_lazy("Concern (higher)"),
    "concern_low": gettext_lazy("Concern (lower)"),
    "neutral_high": gettext_lazy("Higher"),
    "neutral_low": gettext_lazy("Lower"),
}
NO_STATUS_SHORT = gettext_lazy("No status yet")
ASSURANCE_WORDS = {
    "pass": gettext_lazy("Will consistently meet the goal"),
    "fail": gettext_lazy("Will consistently miss the goal"),
    "inconsistent": gettext_lazy("Hit and miss: may or may not meet the goal"),
}
HIDDEN_WORDS = {
    privacy.SMALL_COUNT: gettext_lazy("hidden (under 10)"),
    privacy.COMPLEMENT: gettext_lazy("hidden (protects a small group)"),
}


def hidden_words(reason: str | None, min_teams: int) -> str:
    if reason == privacy.FEW_TEAMS:
        return _("hidden (under %(count)s teams)") % {"count": min_teams}
    return str(HIDDEN_WORDS.get(reason, ""))


def summary(series: Series) -> str:
    """One plain sentence on what the chart shows, e.g. "7 points above the median from
    March 2026 to September 2026: a shift — non-random improvement.", followed by
    :func:`chart_note` when the pooled line is drawn as another chart than the measure's."""
    note = chart_note(series)
    sentence = _phase_sentence(series) if series.current_phase else _sentence(series)
    return f"{sentence} {note}" if note else sentence


def chart_note(series: Series) -> str:
    """Why a pooled p or u line is drawn as Laney's p' or u' chart, or ``""``."""
    if not series.widened_for_pooling or series.control is None:
        return ""
    words = {
        Measure.ChartKind.PP: _("Laney p′ chart: limits widened for the large pooled denominators "
                                "(on average more than %(size)s a month)."),
        Measure.ChartKind.UP: _("Laney u′ chart: limits widened for the large pooled denominators "
                                "(on average more than %(size)s a month)."),
    }[series.kind]
    return words % {"size": number_format(LARGE_DENOMINATOR, force_grouping=True)}


def _sentence(series: Series) -> str:
    measure, analysis = series.measure, series.analysis
    present = series.present
    if not present:
        name = measure.display_name
        if series.hidden:
            return _("%(measure)s: every month is hidden to protect privacy.") % {"measure": name}
        return _("%(measure)s: no data yet.") % {"measure": name}
    if present < 10:
        return ngettext("%(measure)s: %(count)s month of data; at least 10 are needed to judge "
                        "whether the changes are improvements.",
                        "%(measure)s: %(count)s months of data; at least 10 are needed to judge "
                        "whether the changes are improvements.", present) % {
            "measure": measure.display_name, "count": present}
    values = series.values
    if analysis.shifts:
        first, last = analysis.shifts[-1]
        centre = series.center  # in the measure's unit (the analysis may hold a proportion)
        above = values[last] > centre
        return _("%(count)s points %(side)s the %(centre)s from %(first)s to %(last)s: a shift — "
                 "%(meaning)s.") % {
            "count": sum(1 for i in range(first, last + 1) if values[i] is not None and values[i] != centre),
            "side": _("above") if above else _("below"), "centre": _centre_name(series),
            "first": month_name(series.months[first]), "last": month_name(series.months[last]),
            "meaning": _meaning(measure, above)}
    if analysis.trends:
        first, last = analysis.trends[-1]
        rising = values[last] > values[first]
        return _("Points %(way)s from %(first)s to %(last)s: a trend — %(meaning)s.") % {
            "way": _("rising") if rising else _("falling"),
            "first": month_name(series.months[first]), "last": month_name(series.months[last]),
            "meaning": _meaning(measure, rising)}
    if series.control is not None and any(series.control.outside):
        outside = sum(series.control.outside)
        return ngettext("%(count)s point outside the control limits: special-cause variation to "
                        "look into.",
                        "%(count)s points outside the control limits: special-cause variation to "
                        "look into.", outside) % {"count": outside}
    if analysis.runs_signal:
        return _("Too few crossings of the %(centre)s or a run too long: non-random variation.") % {
            "centre": _centre_name(series)}
    return _("No signal yet: the points vary at random around the %(centre)s of %(value)s.") % {
        "centre": _centre_name(series), "value": format_value(measure, series.center)}


def _phase_sentence(series: Series) -> str:
    """The current phase of a line in phases: where it starts and why, its centre line, and
    what its own rules found (earlier phases were judged on their own)."""
    start, phase = series.phase_starts[-1], series.current_phase
    measure, analysis = series.measure, series.analysis
    lead = _("Since %(month)s (new phase: %(reason)s) the %(centre)s is %(value)s.") % {
        "month": month_name(series.months[start]), "reason": phase.reason,
        "centre": _centre_name(series), "value": format_value(measure, series.center)}
    values = series.values
    shifts = [span for span in analysis.shifts if span[0] >= start]
    trends = [span for span in analysis.trends if span[0] >= start]
    outside = sum(series.control.outside[start:]) if series.control is not None else 0
    if shifts:
        first, last = shifts[-1]
        above = values[last] > series.center
        found = _("A shift %(side)s it from %(first)s to %(last)s: %(meaning)s.") % {
            "side": _("above") if above else _("below"), "first": month_name(series.months[first]),
            "last": month_name(series.months[last]), "meaning": _meaning(measure, above)}
    elif trends:
        first, last = trends[-1]
        rising = values[last] > values[first]
        found = _("Points %(way)s from %(first)s to %(last)s: a trend — %(meaning)s.") % {
            "way": _("rising") if rising else _("falling"), "first": month_name(series.months[first]),
            "last": month_name(series.months[last]), "meaning": _meaning(measure, rising)}
    elif outside:
        found = ngettext("%(count)s point outside this phase's control limits: special-cause "
                         "variation to look into.",
                         "%(count)s points outside this phase's control limits: special-cause "
                         "variation to look into.", outside) % {"count": outside}
    elif analysis.runs_signal:
        found = _("Too few crossings or a run too long in this phase: non-random variation.")
    else:
        found = _("No signal in this phase yet.")
    return f"{lead} {found}"


def status_words(series: Series) -> dict[str, str]:
    """The variation and assurance icons of a series in words (empty when there is no data)."""
    status = series.status
    if status is None or status.variation_icon is None:
        return {}
    words = {"variation": str(VARIATION_WORDS[status.variation_icon])}
    if status.assurance_icon:
        words["assurance"] = str(ASSURANCE_WORDS[status.assurance_icon])
    return words


def _centre_name(series: Series) -> str:
    return _("median") if series.center_is_median else _("centre line")


def _meaning(measure: Measure, up: bool) -> str:
    better = up == (measure.direction == Measure.Direction.UP)
    return _("non-random improvement") if better else _("non-random change in the wrong direction")


def month_name(month: datetime.date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def strata_summary(measure: Measure, lines: list[Series]) -> str:
    """The latest month with any group shown, and each group's value in it, so the sentence
    and the last row of the table agree."""
    latest = max((i for line in lines for i, v in enumerate(line.values) if v is not None), default=None)
    if latest is None:
        return _("No group has a value to show yet.")
    cells = []
    for line in lines:
        value = line.values[latest]
        cells.append(f"{line.label} {format_value(measure, value)}" if value is not None
                     else _("%(group)s hidden or not reported") % {"group": line.label})
    return _("%(measure)s by %(dimension)s in %(month)s: %(values)s.") % {
        "measure": measure.display_name, "dimension": measure.display_stratification,
        "month": month_name(lines[0].months[latest]), "values": "; ".join(cells)}


def funnel_summary(measure: Measure, start: datetime.date, month: datetime.date, centre: float,
                   points: list, hidden: int) -> str:
    """E.g. "August to October 2026: 2 of 14 teams lie outside the 99.8% limits around the
    pooled 12% (1 better, 1 worse); the others differ from it by no more than chance would."."""
    better = sum(1 for point in points if point.outside == "better")
    worse = sum(1 for point in points if point.outside == "worse")
    words = _("%(month)s: %(outside)s of %(teams)s teams lie outside the 99.8%% limits around "
              "the pooled %(centre)s (%(better)s better, %(worse)s worse); the others differ from "
              "it by no more than chance would.") % {
        "month": _("%(start)s to %(end)s") % {"start": month_name(start), "end": month_name(month)},
        "outside": better + worse, "teams": len(points),
        "centre": format_value(measure, centre), "better": better, "worse": worse}
    if hidden:
        words += " " + ngettext("%(count)s team is left off to protect privacy (counts under 10).",
                                "%(count)s teams are left off to protect privacy (counts under 10).",
                                hidden) % {"count": hidden}
    return words
