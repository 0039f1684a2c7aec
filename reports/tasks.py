"""Celery jobs of the reports layer. They take ids, load, call a service and hold no logic of
their own. Acknowledged late (a worker killed mid-task hands the task to another), retried
with a back-off that stays well below the Redis visibility timeout, and idempotent: a
report is one row per team and month, and an email event is claimed before it is sent."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from collaboratives.emails import send_templated_email
from collaboratives.language import email_language
from collaboratives.models import Collaborative
from measures.months import add_months, month_start
from reports import notifications, selectors, services
from reports.models import MonthlyReport, ReportNotice
from teams.models import Team

RETRY = {"autoretry_for": (DatabaseError,), "retry_backoff": True, "retry_backoff_max": 300,
         "retry_jitter": True, "max_retries": 5, "acks_late": True}


@shared_task(**RETRY)
def build_monthly_reports(*, month: str) -> int:
    """Fan out one task per active team for ``month`` (YYYY-MM-DD); returns how many."""
    day = datetime.date.fromisoformat(month)
    team_ids = services.active_team_ids(day)
    for team_id in team_ids:
        build_team_report.delay(team_id=team_id, month=month)
    return len(team_ids)


@shared_task(**RETRY)
def build_previous_month_reports() -> int:
    """Beat's entry on the 1st: last month's reports for every active team."""
    month = add_months(month_start(timezone.localdate()), -1)
    return build_monthly_reports(month=month.isoformat())


@shared_task(**RETRY)
def build_team_report(*, team_id: int, month: str) -> int | None:
    """Build (or refresh) one team's report; a team that is gone is skipped."""
    team = Team.objects.select_related("collaborative").filter(pk=team_id).first()
    if team is None:
        return None
    return services.monthly_report_build(team=team, month=datetime.date.fromisoformat(month)).pk


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=300, max_retries=5)
def send_report_email(*, report_id: int, event: str) -> int:
    """Tell the people concerned about a report event; returns how many emails went out."""
    report = MonthlyReport.objects.select_related("team__collaborative").filter(pk=report_id).first()
    if report is None:
        return 0
    occurred_at = {"ready": report.ready_notified_at, "submitted": report.submitted_at}.get(
        event, report.reviewed_at)
    recipients = selectors.report_email_recipients(report, event)
    if occurred_at is None or not recipients:
        return 0
    link = settings.SITE_URL + report.get_absolute_url()
    sent = 0
    for person in recipients:
        try:
            with transaction.atomic():
                notice = ReportNotice.objects.create(report=report, event=event,
                                                     occurred_at=occurred_at, recipient=person)
        except IntegrityError:
            continue  # this person already has it
        context = {"report": report, "person": person, "event": event, "link": link}
        try:
            send_templated_email(template="reports/emails/report", context=context, to=person.email,
                         language=email_language(person))
        except OSError:
            notice.delete()  # not sent: the retry may send it
            raise
        sent += 1
    return sent


# --- Scheduled emails: the reminder before a month is due, the weekly digest ----------------------

EMAIL_RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "retry_backoff_max": 300,
               "retry_jitter": True, "max_retries": 5}


@shared_task(**RETRY)
def send_due_reminders(*, day: str | None = None) -> int:
    """Beat's daily entry: one task per person whose team's month, due in three days, is
    incomplete (``day``, YYYY-MM-DD, stands in for today). Returns how many were queued."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    reminders = notifications.due_reminders(today)
    for reminder in reminders:
        send_reminder_email.delay(user_id=reminder.person.pk, collaborative_id=reminder.collaborative.pk,
                                  month=reminder.month.isoformat(), kinds=list(reminder.kinds))
    return len(reminders)


@shared_task(**EMAIL_RETRY)
def send_reminder_email(*, user_id: int, collaborative_id: int, month: str, kinds: list[str]) -> int:
    """Remind one person of what their team still owes for ``month``; worked out again now,
    so a team that finished meanwhile is not reminded. Retried on mail-server errors with
    the claim given back; a kind already claimed is never sent again. Returns 1 if sent."""
    person = get_user_model().objects.filter(pk=user_id).first()
    collaborative = Collaborative.objects.filter(pk=collaborative_id).first()
    if person is None or collaborative is None:
        return 0
    reminder = notifications.reminder_for(person, collaborative, datetime.date.fromisoformat(month),
                                          tuple(kinds))
    if reminder is None:
        return 0
    return int(notifications.reminder_send(reminder=reminder))


@shared_task(**RETRY)
def send_weekly_digests(*, week: str | None = None) -> int:
    """Beat's Monday entry: one task per advisor or coach who wants the digest (``week``,
    YYYY-MM-DD, stands in for today). Returns how many were queued."""
    week = week or timezone.localdate().isoformat()
    user_ids = list(notifications.digest_recipients().values_list("pk", flat=True))
    for user_id in user_ids:
        send_digest_email.delay(user_id=user_id, week=week)
    return len(user_ids)


@shared_task(**EMAIL_RETRY)
def send_digest_email(*, user_id: int, week: str) -> int:
    """One person's digest for the week, at most once; nothing in a quiet week. Retried on
    mail-server errors with the claim given back. Returns 1 if sent."""
    person = notifications.digest_recipients().filter(pk=user_id).first()
    if person is None:
        return 0
    digest = notifications.weekly_digest(person, datetime.date.fromisoformat(week))
    if digest is None:
        return 0
    return int(notifications.digest_send(digest=digest))
