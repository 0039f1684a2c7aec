"""How a measure's numbers read on a page, in a table cell or a sentence."""

from __future__ import annotations

from measures.models import Measure


def format_value(measure: Measure, value: float | None) -> str:
    """A value in the measure's unit: ``42%``, ``3`` (a count) or ``2.5`` (a rate or mean)."""
    if value is None:
        return "—"
    if measure.unit == Measure.Unit.PERCENT:
        return f"{value:.0f}%"
    if measure.unit == Measure.Unit.COUNT:
        return f"{value:.0f}"
    return f"{value:.1f}"
