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
def variation_icon(icons: object, name: str = "") -> SafeString:
    """A team line's variation icon (``aggregates.Icons``) small enough for a table cell, its
    words in the alt text and the tooltip; a dash when there is no status yet."""
    icon = getattr(icons, "variation_icon", None)
    if not icon:
        return format_html('<span title="{}">—<span class="visually-hidden"> {}</span></span>',
                           summaries.NO_STATUS_WORDS, f"{name}: {summaries.NO_STATUS_WORDS}")
    words = summaries.VARIATION_WORDS.get(icon, "")
    label = f"{name}: {words}" if name else str(words)
    return format_html('<img src="{}" alt="{}" title="{}" width="22" height="22">',
                       static(f"img/mdc/{icon}.svg"), label, label)


@register.filter
def percent(value: float | None) -> str:
    """A share from 0 to 1 as a whole percent."""
    return "—" if value is None else f"{100 * value:.0f}%"


@register.filter
def get(mapping: dict, key: object) -> object:
    """``mapping[key]`` in a template, for tables whose columns are data (roles, decisions)."""
    return mapping.get(key) if hasattr(mapping, "get") else None
