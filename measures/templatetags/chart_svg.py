"""The server-drawn SVG of a Plotly figure dict, for ``measures/partials/chart.html``."""

from __future__ import annotations

import logging

from django import template
from django.utils.safestring import SafeString

from measures.figure_svg import figure_svg

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag
def chart_svg(figure: dict | None, title_id: str) -> SafeString:
    """The drawing, or nothing if a figure holds what the drawing cannot place: the page (its
    summary, table and "Explore") must not fail for a chart."""
    try:
        return figure_svg(figure or {}, title_id=title_id)
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError):
        logger.exception("could not draw the figure %s as SVG", title_id)
        return SafeString("")


@register.filter
def help_kind(line: object) -> str:
    """Which "How to read this chart" notes suit a series (or a chart kind given as text)."""
    kind = getattr(line, "kind", line)
    if getattr(line, "control", "") is None or kind in ("run", None, ""):
        return "run"
    if kind in ("g", "t"):
        return "rare"
    return "laney" if kind in ("pp", "up") else "control"
