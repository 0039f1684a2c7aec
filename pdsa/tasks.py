"""Emails sent from the PDSA layer. Tasks load by id and call plain code."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from collaboratives.emails import send_templated_email
from collaboratives.language import email_language
from pdsa.models import CycleComment
from pdsa.selectors import comment_recipients


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_comment_notification(*, comment_id: int) -> int:
    """Tell the cycle's lead and the team lead(s) about a new comment (never its author).
    Retries on mail-server errors; a comment already notified, or gone, sends nothing, so a
    retried or repeated run does not email twice. Returns how many emails went out."""
    comment = (CycleComment.objects.select_related("cycle__team", "cycle__lead", "author")
               .filter(pk=comment_id, notified_at__isnull=True).first())
    if comment is None:
        return 0
    link = settings.SITE_URL + comment.cycle.get_absolute_url() + f"#comment-{comment.pk}"
    sent = 0
    for person in comment_recipients(comment):
        context = {"comment": comment, "cycle": comment.cycle, "person": person, "link": link,
                   "author": comment.author.get_full_name() or comment.author.get_username()
                   if comment.author else ""}
        send_templated_email(template="pdsa/emails/comment", context=context, to=person.email,
                         language=email_language(person))
        sent += 1
    comment.notified_at = timezone.now()
    comment.save(update_fields=["notified_at"])  # a save, so the history has it
    return sent
