"""Pareto charts: a team's counts by category over a period, sorted from the largest, with
the cumulative percent that shows the "vital few" categories behind most of the events.

The write (``pareto_tally_save``), the rows the table and chart share (``pareto_rows``), the
summary sentence and a server-drawn SVG. The SVG uses classes and presentation attributes,
never ``style``: the pages' CSP forbids inline styles.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from collaboratives.validators import validate_date_in_window, validate_one_line
from measures.models import ParetoCategory, ParetoTally
from teams.models import Team

# The share the summary names: the categories that together reach it are the "vital few".
VITAL_SHARE = 80.0


@dataclass(frozen=True)
class ParetoRow:
    label: str
    count: int
    percent: float  # of the total
    cumulative_percent: float


def _clean_categories(categories: list[tuple[str, int]]) -> tuple[list[tuple[str, int]], dict]:
    errors: dict[str, list[str]] = {}
    cleaned: list[tuple[str, int]] = []
    seen: set[str] = set()
    for index, (raw_label, count) in enumerate(categories):
        label = (raw_label or "").strip()
        key = f"categories:{index}"
        if not label:
            errors.setdefault(key, []).append(_("Give the category a name."))
            continue
        try:
            validate_one_line(label)
        except ValidationError as exc:
            errors.setdefault(key, []).extend(exc.messages)
        if count is None or count < 0:
            errors.setdefault(key, []).append(_("A count cannot be negative."))
        if label.casefold() in seen:
            errors.setdefault(key, []).append(
                _("“%(label)s” is listed twice: add its counts together on one row.") % {"label": label})
        seen.add(label.casefold())
        cleaned.append((label, count or 0))
    if not errors:
        if not cleaned:
            errors["categories"] = [_("Enter at least one category with its count.")]
        elif not any(count for _label, count in cleaned):
            errors["categories"] = [_("Every count is 0: enter how many times each category happened.")]
    return cleaned, errors


@transaction.atomic
def pareto_tally_save(*, team: Team, tally: ParetoTally | None = None, title: str,
                      start: datetime.date, end: datetime.date,
                      categories: list[tuple[str, int]], saved_by: AbstractBaseUser) -> ParetoTally:
    """Create or replace a tally with its categories, or save nothing and raise a
    ValidationError naming each field (``categories:<index>`` for a row)."""
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Give the tally a title.")]
    for field, value in (("start", start), ("end", end)):
        try:
            validate_date_in_window(value)
        except ValidationError as exc:
            errors[field] = exc.messages
    if start and end and "start" not in errors and "end" not in errors and end < start:
        errors["end"] = [_("The period cannot end before it starts.")]
    cleaned, category_errors = _clean_categories(categories)
    errors.update(category_errors)
    if errors:
        raise ValidationError(errors)
    if tally is None:
        tally = ParetoTally(team=team, created_by=saved_by)
    elif tally.team_id != team.pk:
        raise ValidationError(_("This tally belongs to another team."))
    tally.title, tally.start, tally.end = title, start, end
    tally.full_clean()
    tally.save()
    # Replace the rows: a tally is small (tens of categories) and its history keeps the old ones.
    tally.categories.all().delete()
    rows = [ParetoCategory(tally=tally, label=label, count=count, order=index)
            for index, (label, count) in enumerate(cleaned)]
    for row in rows:
        row.full_clean(exclude=["tally"])
    for row in rows:
        row.save()  # one by one, so simple-history records each (bulk_create would not)
    return tally


@transaction.atomic
def pareto_tally_delete(*, tally: ParetoTally) -> None:
    """Remove a tally and its categories; simple-history keeps both."""
    tally.delete()


def pareto_rows(tally: ParetoTally) -> list[ParetoRow]:
    """Largest count first (ties by label); categories counted 0 stay, at the end.
    Uses ``tally.categories.all()``, so a prefetch serves it."""
    categories = sorted(tally.categories.all(), key=lambda c: (-c.count, c.label.casefold()))
    return rows_from_counts([(c.label, c.count) for c in categories])


def rows_from_counts(counts: list[tuple[str, int]]) -> list[ParetoRow]:
    """The rows for counts already in Pareto order."""
    total = sum(count for _label, count in counts)
    rows, running = [], 0
    for label, count in counts:
        running += count
        rows.append(ParetoRow(label, count, 100 * count / total if total else 0.0,
                              100 * running / total if total else 0.0))
    return rows


def vital_few(rows: list[ParetoRow]) -> list[ParetoRow]:
    """The first categories whose cumulative share reaches VITAL_SHARE."""
    few = []
    for row in rows:
        few.append(row)
        if row.cumulative_percent >= VITAL_SHARE - 1e-9:
            break
    return few


def _join(labels: list[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return _("%(first)s and %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}


def _what(title: str) -> str:
    """The title as the sentence's noun: "Early pick-ups" → "early pick-ups" (not "FCC…")."""
    if len(title) > 1 and title[0].isupper() and title[1].islower():
        return title[0].lower() + title[1:]
    return title


def pareto_summary(tally: ParetoTally, rows: list[ParetoRow] | None = None) -> str:
    """One sentence: which few categories account for most of the events."""
    rows = pareto_rows(tally) if rows is None else rows
    total = sum(row.count for row in rows)
    if not total:
        return _("No events were counted in this tally.")
    few = vital_few(rows)
    share = round(few[-1].cumulative_percent)
    if len(few) == 1:
        return ngettext(
            "1 of %(count)s category — %(labels)s — accounts for %(share)s%% of the %(total)s %(what)s.",
            "1 of %(count)s categories — %(labels)s — accounts for %(share)s%% of the %(total)s %(what)s.",
            len(rows)) % {"count": len(rows), "labels": few[0].label, "share": share,
                          "total": total, "what": _what(tally.title)}
    return _("%(few)s of %(count)s categories — %(labels)s — account for %(share)s%% of the "
             "%(total)s %(what)s.") % {
        "few": len(few), "count": len(rows), "labels": _join([row.label for row in few]),
        "share": share, "total": total, "what": _what(tally.title)}


# --- the chart -------------------------------------------------------------------------------
WIDTH, HEIGHT = 680, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 52, 30, 90
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
BAR, LINE, INK, MUTED, RULE = "#1f6fb2", "#b35900", "#212529", "#4b5563", "#d1d5db"


def _text(x: float, y: float, content: str, *, css: str, anchor: str = "start",
          size: float = 10, fill: str = INK, transform: str = "") -> str:
    turn = f' transform="{transform}"' if transform else ""
    return (f'<text class="{css}" x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" '
            f'text-anchor="{anchor}"{turn}>{escape(content)}</text>')


def _count_step(high: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if high / step <= 6:
            return step
    return max(1, high // 5)


def pareto_svg(tally: ParetoTally, rows: list[ParetoRow] | None = None, *,
               chart_id: str | None = None) -> SafeString:
    """Bars of counts (left axis) and the cumulative percent (right axis, 0 to 100%), as a
    self-contained ``<svg>`` with a ``<title>`` and the summary as ``<desc>``."""
    rows = pareto_rows(tally) if rows is None else rows
    ident = escape(chart_id or f"pareto-{tally.pk or 0}")
    left, right, top, bottom = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM
    high = max([row.count for row in rows] + [1])
    step = _count_step(high)
    top_count = -(-high // step) * step
    parts = [f'<rect class="pareto-frame" x="{left}" y="{top}" width="{right - left}" '
             f'height="{bottom - top}" fill="none" stroke="{RULE}"/>']
    for tick in range(0, top_count + 1, step):
        y = bottom - tick * (bottom - top) / top_count
        parts.append(f'<line class="pareto-grid" x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
                     f'stroke="{RULE}"/>')
        parts.append(_text(left - 5, y + 3, str(tick), css="pareto-tick", anchor="end", fill=MUTED))
    for percent in range(0, 101, 20):
        y = bottom - percent * (bottom - top) / 100
        parts.append(_text(right + 5, y + 3, f"{percent}%", css="pareto-tick pareto-tick-right",
                           fill=MUTED))
    parts.append(_text(12, (top + bottom) / 2, _("Count"), css="pareto-axis-label", anchor="middle",
                       fill=MUTED, transform=f"rotate(-90 12 {(top + bottom) / 2:.1f})"))
    parts.append(_text(WIDTH - 6, (top + bottom) / 2, _("Cumulative %"), css="pareto-axis-label",
                       anchor="middle", fill=MUTED,
                       transform=f"rotate(90 {WIDTH - 6} {(top + bottom) / 2:.1f})"))
    slot = (right - left) / max(len(rows), 1)
    points = []
    for index, row in enumerate(rows):
        x = left + index * slot
        height = row.count * (bottom - top) / top_count
        parts.append(f'<rect class="pareto-bar" x="{x + slot * 0.15:.1f}" y="{bottom - height:.1f}" '
                     f'width="{slot * 0.7:.1f}" height="{height:.1f}" fill="{BAR}">'
                     f'<title>{escape(row.label)}: {row.count}</title></rect>')
        centre = x + slot / 2
        parts.append(_text(centre, bottom + 12, Truncator(row.label).chars(14), css="pareto-label",
                           anchor="end", transform=f"rotate(-35 {centre:.1f} {bottom + 12:.1f})"))
        points.append((centre, bottom - row.cumulative_percent * (bottom - top) / 100))
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline class="pareto-cumulative" points="{path}" fill="none" '
                     f'stroke="{LINE}" stroke-width="2" stroke-dasharray="6 3"/>')
        parts += [f'<circle class="pareto-cumulative-point" cx="{x:.1f}" cy="{y:.1f}" r="3" '
                  f'fill="{LINE}"/>' for x, y in points]
    # A dotted 80% rule, named, so the vital few read without colour.
    y80 = bottom - VITAL_SHARE * (bottom - top) / 100
    parts.append(f'<line class="pareto-threshold" x1="{left}" y1="{y80:.1f}" x2="{right}" '
                 f'y2="{y80:.1f}" stroke="{MUTED}" stroke-dasharray="2 3"/>')
    parts.append(_text(left + 4, top - 8, _("Bars: count · dashed line: cumulative %"),
                       css="pareto-legend", fill=MUTED))
    # Only numbers computed here and escaped text go into the markup.
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pareto-chart-svg" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="{FONT}">'
        f'<title id="{ident}-title">{escape(tally.title)}</title>'
        f'<desc id="{ident}-desc">{escape(pareto_summary(tally, rows))}</desc>'
        + "".join(parts) + "</svg>")

