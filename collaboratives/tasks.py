"""Emails sent from the collaboratives layer. Tasks load by id and call plain code."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model

from collaboratives import outbox
from collaboratives.services import invitation_send

# Mail-server errors (smtplib's are OSErrors) are retried with a growing, jittered pause
# that stays well below the broker's visibility timeout.
MAIL_RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "retry_backoff_max": 300,
              "retry_jitter": True, "max_retries": 8}


@shared_task(**MAIL_RETRY)
def send_invitation_email(*, user_id: int, invited_by_id: int | None, place: str) -> bool:
    """Tell someone where they were added (see ``invitation_send``); returns False if the
    person is gone."""
    users = get_user_model().objects
    user = users.filter(pk=user_id).first()
    if user is None:
        return False
    inviter = users.filter(pk=invited_by_id).first() if invited_by_id else None
    return invitation_send(user=user, inviter=inviter, place=place)


@shared_task(acks_late=True)
def relay_outbox() -> int:
    """Beat's entry every minute: publish the tasks whose changes committed while the broker
    was down (see ``collaboratives.outbox``), and forget those sent a week ago. Running it
    twice at once publishes nothing twice (the rows are locked). Returns how many it sent."""
    sent = outbox.outbox_relay()
    outbox.outbox_forget_sent()
    return sent
