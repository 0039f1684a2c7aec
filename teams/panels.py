"""Panels that higher layers add to the team page, without this layer importing them: the
reports layer registers "this month" (data and report, what is late) when its app loads.
Each panel is a template and a function that gives its context, or ``None`` to show nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from teams.models import Team

PanelContext = Callable[[HttpRequest, Team], dict | None]


@dataclass(frozen=True)
class Panel:
    template: str
    context: PanelContext


_PANELS: dict[str, Panel] = {}


def register(name: str, template: str, context: PanelContext) -> None:
    """Add (or replace) a panel; called from an app's ``ready``."""
    _PANELS[name] = Panel(template, context)


def panels_for(request: HttpRequest, team: Team) -> list[dict]:
    """Each registered panel's template and context for this team, in registration order."""
    shown = []
    for panel in _PANELS.values():
        context = panel.context(request, team)
        if context is not None:
            shown.append({"template": panel.template, **context})
    return shown
