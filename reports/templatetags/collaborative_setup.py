"""``{% collaborative_setup collaborative %}``: the set-up checklist on the collaborative
page. The page's view lives in ``teams``, which may not import measures; its template loads
this tag instead, so the checklist is read here, in the reports layer."""

from __future__ import annotations

from django import template

from collaboratives.models import Collaborative
from reports.setup import collaborative_setup
from teams import access

register = template.Library()


@register.inclusion_tag("collaboratives/partials/setup_checklist.html", takes_context=True)
def collaborative_setup_checklist(context: template.Context, collaborative: Collaborative) -> dict:
    """Shown to the collaborative's leaders only; the link to start from a change package
    to its improvement advisor, who alone may copy into it."""
    user = context["request"].user
    if not access.can_manage_collaborative(user, collaborative):
        return {"checklist": None}
    return {
        "collaborative": collaborative,
        "checklist": collaborative_setup(collaborative),
        "can_start_from": access.can_manage_collaborative_staff(user, collaborative),
    }
