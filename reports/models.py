"""Monthly team reports: built by a Celery job from what the team entered, completed by the
team (narrative and self-score) and reviewed by its advisor."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reports import scale
from teams.models import Team


class MonthlyReport(models.Model):
    class Status(models.TextChoices):
        GENERATED = "generated", _("Ready for the team")
        SUBMITTED = "submitted", _("Submitted")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        REVIEWED = "reviewed", _("Reviewed")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="monthly_reports")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.GENERATED)
    # Built by the job; rebuilding replaces it and nothing else.
    snapshot = models.JSONField(_("snapshot"), default=dict, blank=True)
    built_at = models.DateTimeField(_("built"), null=True, blank=True)
    # Written by the team.
    successes = models.TextField(_("successes"), blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    supports_needed = models.TextField(
        _("supports needed"), blank=True,
        help_text=_("What would help from the advisor, coaches or other teams."))
    self_score = models.DecimalField(_("team's self-score"), max_digits=2, decimal_places=1,
                                     choices=scale.CHOICES, null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    # Written by the advisor.
    advisor_score = models.DecimalField(_("advisor's score"), max_digits=2, decimal_places=1,
                                        choices=scale.CHOICES, null=True, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    # Set in the same transaction as the event, so a retried job never emails twice.
    ready_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["snapshot"])

    class Meta:
        ordering = ["-month", "team__name"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "month"], name="monthly_report_one_per_team_month",
                violation_error_message=_("This team already has a report for that month.")),
            models.CheckConstraint(condition=Q(month__day=1), name="monthly_report_month_first_day",
                                   violation_error_message=_("A month is stored as its first day.")),
            models.CheckConstraint(
                condition=Q(self_score__isnull=True) | Q(self_score__in=[lv.score for lv in scale.LEVELS]),
                name="monthly_report_self_score_on_scale",
                violation_error_message=_("Scores run from 0.5 to 5.0 in half steps.")),
            models.CheckConstraint(
                condition=Q(advisor_score__isnull=True)
                | Q(advisor_score__in=[lv.score for lv in scale.LEVELS]),
                name="monthly_report_advisor_score_on_scale",
                violation_error_message=_("Scores run from 0.5 to 5.0 in half steps.")),
        ]
        indexes = [models.Index(fields=["month", "status"])]

    def __str__(self) -> str:
        return f"{self.team} — {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("reports:report-detail", args=[self.pk])

    @property
    def team_can_edit(self) -> bool:
        return self.status in (self.Status.GENERATED, self.Status.CHANGES_REQUESTED)

    @property
    def submitted_by_name(self) -> str | None:
        person = self.submitted_by
        return person and (person.get_full_name() or person.get_username())

    @property
    def score_gap(self):
        if self.self_score is None or self.advisor_score is None:
            return None
        return abs(self.self_score - self.advisor_score)


class ReportNotice(models.Model):
    """One email about one report event to one person, claimed just before it is sent: a
    retried or repeated task finds the claim and skips that person, so nobody gets the same
    email twice. A send that fails gives its claim back for the retry."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="notices")
    event = models.CharField(max_length=30)
    occurred_at = models.DateTimeField()
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "event", "occurred_at", "recipient"],
                                               name="report_notice_once_per_event_and_person")]

    def __str__(self) -> str:
        return f"{self.report} — {self.event} — {self.recipient_id}"


class ReportBuild(models.Model):
    """An advisor's request to build or refresh a month's reports: what the progress bar
    counts against (reports built since it was asked for)."""

    collaborative = models.ForeignKey("collaboratives.Collaborative", on_delete=models.CASCADE,
                                      related_name="report_builds")
    month = models.DateField()
    total = models.PositiveIntegerField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.collaborative} — {self.month:%Y-%m} — {self.requested_at:%Y-%m-%d %H:%M}"
