"""JSON shapes of monthly reports for /api/v1/reports/: the report as its readers see it,
what the team writes, and what a leader sends to review it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from measures.serializers import MonthField
from reports import scale, selectors, services
from reports.models import MonthlyReport
from teams.models import Team

OFF_SCALE = _("Scores run from 0.5 to 5.0 in half steps.")
# Moved by their own endpoints, never by a PATCH of the narrative.
_NOT_IN_A_PATCH = {
    "status": _("Submit with POST /api/v1/reports/<id>/submit/; the review moves it on from there."),
    "advisor_score": _("The advisor's score is given with POST /api/v1/reports/<id>/review/."),
    "feedback": _("The advisor's feedback is given with POST /api/v1/reports/<id>/review/."),
}


@extend_schema_field({"type": "number", "minimum": 0.5, "maximum": 5.0, "multipleOf": 0.5,
                      "example": 2.5})
class ScoreField(serializers.DecimalField):
    """A score on the IHI assessment scale: a JSON number from 0.5 to 5.0 in half steps."""

    default_error_messages = {"off_scale": OFF_SCALE, "max_digits": OFF_SCALE,
                              "max_decimal_places": OFF_SCALE, "max_whole_digits": OFF_SCALE}

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_digits=2, decimal_places=1, coerce_to_string=False, **kwargs)

    def to_internal_value(self, data: object) -> Decimal:
        level = scale.level_of(super().to_internal_value(data))
        if level is None:
            self.fail("off_scale")
        return level.score


class ReportTeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]


class MonthlyReportSerializer(serializers.ModelSerializer):
    """A report as the team's members and the collaborative's leaders read it. ``report_due``
    is the collaborative's due day of the following month; ``report_late`` says the team still
    has it (ready or sent back) after that day."""

    team = ReportTeamSerializer(read_only=True)
    collaborative = serializers.IntegerField(source="team.collaborative_id", read_only=True)
    month = MonthField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    self_score = ScoreField(read_only=True, allow_null=True)
    self_score_level = serializers.SerializerMethodField()
    advisor_score = ScoreField(read_only=True, allow_null=True)
    advisor_score_level = serializers.SerializerMethodField()
    report_due = serializers.SerializerMethodField()
    report_late = serializers.SerializerMethodField()

    class Meta:
        model = MonthlyReport
        fields = [
            "id", "team", "collaborative", "month", "status", "status_display", "snapshot",
            "successes", "challenges", "next_steps", "supports_needed", "self_score",
            "self_score_level", "advisor_score", "advisor_score_level", "feedback",
            "submitted_at", "reviewed_at", "report_due", "report_late",
        ]
        read_only_fields = fields

    def get_self_score_level(self, report: MonthlyReport) -> str | None:
        return _level_name(report.self_score)

    def get_advisor_score_level(self, report: MonthlyReport) -> str | None:
        return _level_name(report.advisor_score)

    def get_report_due(self, report: MonthlyReport) -> datetime.date:
        return _report_due(report)

    def get_report_late(self, report: MonthlyReport) -> bool:
        # TeamMonth.report_late's rule for a report that exists: the team still has it.
        today = self.context.get("today") or timezone.localdate()
        return report.team_can_edit and today > _report_due(report)


def _level_name(score: Decimal | None) -> str | None:
    level = scale.level_of(score)
    return None if level is None else str(level.name)


def _report_due(report: MonthlyReport) -> datetime.date:
    # The team and its collaborative come with the report (reports_visible_to), so this
    # costs no query.
    return selectors.due_date(report.team.collaborative, report.month, kind="report")


class MonthlyReportNarrativeSerializer(serializers.ModelSerializer):
    """What the team writes: any of the narrative fields and its self-score (null clears it).
    Fields left out keep their value. The status and the advisor's part have their own
    endpoints; naming them here is an error."""

    self_score = ScoreField(required=False, allow_null=True)

    class Meta:
        model = MonthlyReport
        fields = list(services.NARRATIVE_FIELDS)

    def validate(self, attrs: dict) -> dict:
        misplaced = {name: [message] for name, message in _NOT_IN_A_PATCH.items()
                     if name in self.initial_data}
        if misplaced:
            raise serializers.ValidationError(misplaced)
        return attrs


class MonthlyReportReviewSerializer(serializers.Serializer):
    """The advisor's review, whole: a score (needed unless changes are requested) and
    feedback (needed when they are). Fields left out count as empty."""

    advisor_score = ScoreField(default=None, allow_null=True)
    feedback = serializers.CharField(default="", allow_blank=True)
    changes_requested = serializers.BooleanField(
        default=False, help_text=_("Send the report back to the team; say what to change in feedback."))


class MonthlyReportListSerializer(MonthlyReportSerializer):
    """A report in a list: everything but the snapshot, which is the bulk of a report (the
    detail has it); a month of 200 teams stays a light page."""

    class Meta(MonthlyReportSerializer.Meta):
        fields = [name for name in MonthlyReportSerializer.Meta.fields if name != "snapshot"]
        read_only_fields = fields
