"""Writes on monthly reports: build (the job), the team's narrative and submission, the
advisor's review. Emails go out through Celery after the transaction commits, at most once
per event: the event's timestamp is claimed in the same transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collaboratives.models import Collaborative
from collaboratives.outbox import outbox_enqueue, outbox_enqueue_many
from measures.months import add_months, month_start
from reports import scale
from reports.models import MonthlyReport, ReportBuild
from reports.snapshots import team_month_snapshot
from teams.models import Team

NARRATIVE_FIELDS = ("successes", "challenges", "next_steps", "supports_needed", "self_score")


def active_team_ids(month: datetime.date) -> list[int]:
    """Teams of active collaboratives whose time covers ``month``: the ones a report is due from."""
    start = month_start(month)
    return list(Team.objects.filter(
        collaborative__status=Collaborative.Status.ACTIVE,
        collaborative__start_date__lt=add_months(start, 1), collaborative__end_date__gte=start,
    ).order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def monthly_report_build(*, team: Team, month: datetime.date) -> MonthlyReport:
    """Create the team's report for ``month`` or refresh its snapshot. What people wrote is
    never touched; a second, concurrent or retried run updates the same row (the unique
    constraint holds it to one), and only the first build tells the team it is ready."""
    month = month_start(month)
    report = _locked_report(team, month)
    # The claim is a conditional UPDATE (once, even where the database cannot lock the row);
    # it is made before the save below, and copied onto the row, so that the save's history
    # row records it.
    claimed_at = timezone.now()
    claimed = MonthlyReport.objects.filter(pk=report.pk, ready_notified_at__isnull=True).update(
        ready_notified_at=claimed_at)
    if claimed:
        report.ready_notified_at = claimed_at
    report.snapshot = team_month_snapshot(team, month)
    report.built_at = timezone.now()
    report.save(update_fields=["snapshot", "built_at", "updated_at"])
    if claimed:
        outbox_enqueue("reports.tasks.send_report_email", report_id=report.pk, event="ready")
    return report


def _locked_report(team: Team, month: datetime.date) -> MonthlyReport:
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the outer transaction usable
            MonthlyReport.objects.get_or_create(team=team, month=month)
    except IntegrityError:
        pass  # another worker created it between our read and our insert
    return MonthlyReport.objects.select_for_update().get(team=team, month=month)


@transaction.atomic
def monthly_report_save(*, report: MonthlyReport, **fields: object) -> MonthlyReport:
    """The team's narrative and self-score, while the report is theirs to edit."""
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if not report.team_can_edit:
        raise ValidationError(_("This report was submitted; the advisor has it now."), code="locked")
    unknown = set(fields) - set(NARRATIVE_FIELDS)
    if unknown:
        raise ValueError(f"not narrative fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(report, name, value)
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def monthly_report_submit(*, report: MonthlyReport, submitted_by: AbstractBaseUser) -> MonthlyReport:
    """The team hands the report to its advisor; it needs a self-score."""
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if not report.team_can_edit:
        raise ValidationError(_("This report was already submitted."), code="locked")
    if report.self_score is None:
        raise ValidationError({"self_score": [ValidationError(
            _("Choose where the team stands on the assessment scale before submitting."),
            code="required")]})
    report.status = MonthlyReport.Status.SUBMITTED
    report.submitted_at, report.submitted_by = timezone.now(), submitted_by
    report.save()
    _email_on_commit(report, "submitted")
    return report


@transaction.atomic
def monthly_report_review(*, report: MonthlyReport, reviewed_by: AbstractBaseUser,
                          advisor_score: Decimal | None, feedback: str,
                          changes_requested: bool = False) -> MonthlyReport:
    """The advisor scores the report and gives feedback; asking for changes sends it back to
    the team (feedback then says what to change)."""
    report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
    if report.status not in (MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.REVIEWED):
        raise ValidationError(_("The team has not submitted this report yet."), code="not_submitted")
    errors = {}
    if advisor_score is None and not changes_requested:
        errors["advisor_score"] = [ValidationError(_("Give the team a score to finish the review."),
                                                   code="required")]
    if changes_requested and not feedback.strip():
        errors["feedback"] = [ValidationError(_("Say what the team should change."), code="required")]
    if advisor_score is not None and scale.level_of(advisor_score) is None:
        errors["advisor_score"] = [ValidationError(_("Scores run from 0.5 to 5.0 in half steps."),
                                                   code="invalid")]
    if errors:
        raise ValidationError(errors)
    report.advisor_score, report.feedback = advisor_score, feedback
    report.status = (MonthlyReport.Status.CHANGES_REQUESTED if changes_requested
                     else MonthlyReport.Status.REVIEWED)
    report.reviewed_at, report.reviewed_by = timezone.now(), reviewed_by
    report.save()
    _email_on_commit(report, "changes_requested" if changes_requested else "reviewed")
    return report


def _email_on_commit(report: MonthlyReport, event: str) -> None:
    # Through the outbox: the email is saved with the change and survives a broker outage.
    outbox_enqueue("reports.tasks.send_report_email", report_id=report.pk, event=event)


@transaction.atomic
def report_build_request(*, collaborative: Collaborative, month: datetime.date,
                         requested_by: AbstractBaseUser) -> ReportBuild:
    """Queue the build (or refresh) of every team's report for ``month``, once this
    transaction commits; the returned row is what the progress bar counts against."""
    month = month_start(month)
    team_ids = list(collaborative.teams.order_by("pk").values_list("pk", flat=True))
    build = ReportBuild.objects.create(collaborative=collaborative, month=month, total=len(team_ids),
                                       requested_by=requested_by)
    outbox_enqueue_many("reports.tasks.build_team_report",
                        [{"team_id": team_id, "month": month.isoformat()} for team_id in team_ids])
    return build
