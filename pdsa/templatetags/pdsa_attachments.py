"""What the "Photos and files" part of a cycle page shows to the person looking at it."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from pdsa import attachments, selectors
from pdsa.models import Cycle, CycleAttachment

register = template.Library()


@dataclass(frozen=True)
class CycleFiles:
    readable: bool  # the team's members and the collaborative's leaders; no one else
    items: list[tuple[CycleAttachment, bool]]  # each file, and whether the viewer may remove it
    can_add: bool
    is_full: bool
    most: int
    help_text: str


@register.simple_tag(takes_context=True)
def cycle_files(context: template.Context, cycle: Cycle) -> CycleFiles:
    user = context["request"].user
    rows = list(attachments.attachments_of(user, cycle))
    removes_any = bool(rows) and attachments.can_remove_any_attachment(user, cycle.team)
    most = attachments.max_per_cycle()
    can_write = selectors.can_write_cycle(user, cycle)
    return CycleFiles(
        readable=selectors.can_comment_on_cycle(user, cycle),
        items=[(row, removes_any or row.uploaded_by_id == user.pk) for row in rows],
        can_add=can_write and len(rows) < most, is_full=can_write and len(rows) >= most,
        most=most, help_text=attachments.help_text())
