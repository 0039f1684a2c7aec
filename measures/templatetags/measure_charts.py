"""Template helpers for charts: the Making Data Count icons with their words, and sparklines."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from measures import sparklines, summaries
from measures.series import Series

register = template.Library()


@register.simple_tag
def status_badges(series: Series) -> SafeString:
    """The variation (and assurance) icons of a series, each with its words beside it: the
    icon is never the only way to the meaning."""
    words = summaries.status_words(series)
    if not words:
        return SafeString("")
    status = series.status
    icons = [(status.variation_icon, words["variation"])]
    if "assurance" in words:
        icons.append((status.assurance_icon, words["assurance"]))
    return format_html_join(
        "", '<span class="mdc-status"><img src="{}" alt="" width="20" height="20"> {}</span>',
        ((static(f"img/mdc/{icon}.svg"), text) for icon, text in icons))


@register.simple_tag
def sparkline(series: sparklines.Line) -> SafeString:
    return sparklines.sparkline(series)


@register.simple_tag
def hidden_reason(reason: str | None, min_teams: int = 3) -> str:
    return summaries.hidden_words(reason, min_teams)


@register.filter
def ratio(value: float | None) -> str:
    return "—" if value is None else format_html("{}", f"{value:.2f}")


@register.simple_tag
def variation_mark(icons: object) -> SafeString:
    """A team line's variation icon for a cell of a table whose column names the measure: a
    CSS-drawn icon with short words for screen readers, a few dozen bytes (200 teams by 7
    measures of full <img> tags weighed 1.5 kB a row)."""
    icon = getattr(icons, "variation_icon", None)
    if not icon or icon not in summaries.VARIATION_SHORT:
        return format_html('<span class="mdc-i" role="img" aria-label="{}">–</span>',
                           summaries.NO_STATUS_SHORT)
    return format_html('<span class="mdc-i mdc-{}" role="img" aria-label="{}"></span>', icon,
                       summaries.VARIATION_SHORT[icon])


@register.filter
def percent(value: float | None) -> str:
    """A share from 0 to 1 as a whole percent."""
    return "—" if value is None else f"{100 * value:.0f}%"


@register.filter
def get(mapping: dict, key: object) -> object:
    """``mapping[key]`` in a template, for tables whose columns are data (roles, decisions)."""
    return mapping.get(key) if hasattr(mapping, "get") else None
