"""Emails of the teams layer. Tasks load by id and call a service."""

from __future__ import annotations

from celery import shared_task

from collaboratives.tasks import MAIL_RETRY
from teams import services


@shared_task(**MAIL_RETRY, acks_late=True)
def send_membership_invitation(*, membership_id: int, invited_by_id: int | None = None) -> bool:
    """Tell a new team member where they were added, once; retried on mail-server errors."""
    return services.membership_invitation_send(membership_id=membership_id, invited_by_id=invited_by_id)


@shared_task(acks_late=True)
def send_pending_invitations() -> int:
    """Queue again the invitations that have not gone out (run by beat, e.g. hourly): what
    a broker outage or a long mail-server failure held back is sent once things are back.
    The claim in the service keeps a queued copy from sending it twice."""
    ids = services.pending_invitation_ids()
    for membership_id in ids:
        send_membership_invitation.delay(membership_id=membership_id)
    return len(ids)
