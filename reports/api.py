"""REST endpoint for monthly team reports, under the pages' rules (``reports.selectors``):
a team's members and its collaborative's leaders read its reports; nobody else may know
one exists (404). The job builds them, so the API neither creates nor deletes them.

- ``PATCH /reports/<id>/``: the team's members write the narrative and self-score while the
  report is theirs (ready, or sent back). Leaders get 403: their part is the review, which
  has its own endpoint, so a score is never given without the status moving with it.
- ``POST /reports/<id>/submit/``: a member hands the report to the advisor.
- ``POST /reports/<id>/review/``: a leader scores it and gives feedback, or sends it back.

Who may write is checked before the input is read; the services refuse what the pages
refuse (a report no longer the team's, a submission without a self-score) and name the
field."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from measures.api import month_param
from reports import selectors, services
from reports.models import MonthlyReport
from reports.serializers import (
    MonthlyReportListSerializer,
    MonthlyReportNarrativeSerializer,
    MonthlyReportReviewSerializer,
    MonthlyReportSerializer,
)
from teams.api import choice_param, drf_validation_errors, id_param

_NOT_FOUND = OpenApiResponse(description="No such report, or not one the caller may know about.")
_INVALID = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Errors by field; a report in the wrong state for this step (submitted, "
    "not yet submitted) answers under non_field_errors.")


def _refused(who: str) -> OpenApiResponse:
    return OpenApiResponse(description=f"The caller reads the report but {who}.")


@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("team", int, description="Only this team's reports."),
        OpenApiParameter("month", str, description="YYYY-MM"),
        OpenApiParameter("status", str, enum=MonthlyReport.Status.values),
    ]),
    retrieve=extend_schema(responses={200: MonthlyReportSerializer, 404: _NOT_FOUND}),
    partial_update=extend_schema(
        request=MonthlyReportNarrativeSerializer,
        responses={200: MonthlyReportSerializer, 400: _INVALID,
                   403: _refused("is not on the team (leaders review with /review/)"),
                   404: _NOT_FOUND}),
)
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Monthly reports the caller may read: their own team's, or every team's in the
    collaboratives they lead. Filter with ``?team=<id>``, ``?month=YYYY-MM``, ``?status=``.
    A filter never widens the scope: another team's id lists nothing."""

    serializer_class = MonthlyReportSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> QuerySet[MonthlyReport]:
        request = self.request
        reports = selectors.reports_visible_to(request.user)
        team = id_param(request, "team")
        if team is not None:
            reports = reports.filter(team_id=team)
        month = month_param(request, "month")
        if month is not None:
            reports = reports.filter(month=month)
        status = choice_param(request, "status", MonthlyReport.Status.values)
        if status:
            reports = reports.filter(status=status)
        return reports.order_by("-month", "team__name", "pk")

    def get_serializer_class(self) -> type[MonthlyReportSerializer]:
        return MonthlyReportListSerializer if self.action == "list" else MonthlyReportSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        # One "today" for every report on the page.
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The team's narrative and self-score (fields left out keep their value)."""
        report = self._report(write=True)
        serializer = MonthlyReportNarrativeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with drf_validation_errors():
            services.monthly_report_save(report=report, **serializer.validated_data)
        return self._answer(report)

    @extend_schema(request=None, responses={
        200: MonthlyReportSerializer, 400: _INVALID,
        403: _refused("is not on the team"), 404: _NOT_FOUND})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Hand the report to the advisor: a member of the team, once it has a self-score."""
        report = self._report(write=True)
        with drf_validation_errors():
            services.monthly_report_submit(report=report, submitted_by=request.user)
        return self._answer(report)

    @extend_schema(request=MonthlyReportReviewSerializer, responses={
        200: MonthlyReportSerializer, 400: _INVALID,
        403: _refused("does not lead its collaborative"), 404: _NOT_FOUND})
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        """The advisor's review of a submitted report (or a new one of a reviewed report):
        ``advisor_score`` and ``feedback``; ``changes_requested`` sends it back to the team,
        and then feedback must say what to change."""
        report = self._report(review=True)
        serializer = MonthlyReportReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with drf_validation_errors():
            services.monthly_report_review(report=report, reviewed_by=request.user,
                                           **serializer.validated_data)
        return self._answer(report)

    def _report(self, *, write: bool = False, review: bool = False) -> MonthlyReport:
        """404 to whoever may not read the report, 403 to a reader who may not do this."""
        pk = self.kwargs["pk"]
        if not (pk.isascii() and pk.isdigit()):
            raise Http404(_("No such report."))
        return selectors.report_for(self.request.user, int(pk), write=write, review=review)

    def _answer(self, report: MonthlyReport) -> Response:
        # Read again, unfiltered by the query string: the report as saved.
        saved = selectors.reports_visible_to(self.request.user).get(pk=report.pk)
        return Response(self.get_serializer(saved).data)
