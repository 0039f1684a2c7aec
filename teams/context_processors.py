"""What the main menu needs to know about the person, read from the access module's grants
(already read for most pages, so this usually costs no query)."""

from __future__ import annotations

from django.http import HttpRequest

from teams import access


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_watches_states": lambda: access.can_watch_states(user)}
