"""REST endpoint for PDSA cycles, under the same rules as the pages: a team's members read
and write its cycles, the collaborative's advisors and coaches read them, other teams read
the shared complete ones; the team lead or the improvement advisor deletes. Writes go
through the services, so the API refuses what the worksheet refuses."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pdsa import attachments, selectors, services
from pdsa.models import Cycle
from pdsa.serializers import CycleSerializer
from teams import access
from teams.api import choice_param, drf_validation_errors, id_param

_PEOPLE_AND_LINKS = ("lead", "participants", "measures")


class WritesOwnTeamCycles(permissions.BasePermission):
    """Creating and changing cycles is for members of some team; advisors, coaches and state
    viewers are refused before their input is read. Deleting is checked per cycle (the team
    lead or the advisor)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS or request.method == "DELETE":
            return True
        grants = access.grants_for(request.user)
        return bool(grants.is_superuser or grants.team_ids)


def _conflict(conflict: services.CycleConflict) -> Response:
    return Response({
        "version": [_("Someone else saved this cycle since version %(yours)s; it is now at "
                      "version %(now)s. Read it again, then send your change with that version.")
                    % {"yours": conflict.version, "now": conflict.current.version}],
        "current_version": conflict.current.version,
    }, status=409)


_CONFLICT = OpenApiResponse(
    inline_serializer("CycleConflict", {
        "version": serializers.ListField(child=serializers.CharField()),
        "current_version": serializers.IntegerField(),
    }),
    description="Someone saved the cycle since the version sent; read it again.")
_SAVED_OR_CONFLICT = extend_schema(responses={200: CycleSerializer, 409: _CONFLICT})


@extend_schema_view(
    list=extend_schema(parameters=[
        OpenApiParameter("team", int), OpenApiParameter("change_idea", int),
        OpenApiParameter("status", str, enum=Cycle.Status.values),
        OpenApiParameter("decision", str, enum=Cycle.Decision.values),
    ]),
    update=_SAVED_OR_CONFLICT,
    partial_update=_SAVED_OR_CONFLICT,
)
class CycleViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet,
):
    """PDSA cycles the caller may read. Filter with ``?team=``, ``?change_idea=``,
    ``?status=``, ``?decision=``."""

    serializer_class = CycleSerializer
    permission_classes = [permissions.IsAuthenticated, WritesOwnTeamCycles]

    def get_queryset(self) -> QuerySet[Cycle]:
        request = self.request
        # Files only where the caller reads the team's work (not on another team's shared
        # cycle): one query for the page, whatever the number of cycles.
        files = Prefetch("attachments", queryset=attachments.attachments_visible_to(
            request.user).order_by("uploaded_at", "pk"))
        cycles = (selectors.cycles_visible_to(request.user)
                  .select_related("team__collaborative", "change_idea")
                  .prefetch_related("measures", "participations", "participants", files))
        for name in ("team", "change_idea"):
            pk = id_param(request, name)
            if pk is not None:
                cycles = cycles.filter(**{f"{name}_id": pk})
        status = choice_param(request, "status", Cycle.Status.values)
        if status:
            cycles = cycles.filter(status=status)
        decision = choice_param(request, "decision", Cycle.Decision.values)
        if decision:
            cycles = cycles.filter(decision=decision)
        return cycles.order_by("team_id", "change_idea_id", "number", "pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        team = data.pop("team")  # limited to readable teams by the serializer
        if not access.can_write_team_work(request.user, team):
            raise PermissionDenied
        if data.pop("status", Cycle.Status.PLAN) != Cycle.Status.PLAN:
            raise ValidationError({"status": [_("A new cycle starts in Plan; move it on later.")]})
        shared = data.pop("is_shared", False)
        data.pop("version", None)
        with drf_validation_errors(), transaction.atomic():
            cycle = services.cycle_create(team=team, created_by=request.user, **data)
            if shared:
                services.cycle_share(cycle=cycle, shared=True)
        return Response(self.get_serializer(self.get_queryset().get(pk=cycle.pk)).data, status=201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        cycle = self.get_object()
        if not access.can_write_team_work(request.user, cycle.team):
            raise PermissionDenied
        serializer = self.get_serializer(cycle, data=request.data,
                                         partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "version" not in data:
            raise ValidationError({"version": [_("Send the version you read, so a change made "
                                                 "since is not overwritten.")]})
        try:
            with drf_validation_errors(), transaction.atomic():
                self._apply(cycle, data)
        except services.CycleConflict as conflict:
            return _conflict(conflict)
        return Response(self.get_serializer(self.get_queryset().get(pk=cycle.pk)).data)

    @staticmethod
    def _apply(cycle: Cycle, data: dict) -> None:
        """Worksheet first, then the status step, then sharing; all or nothing."""
        version = data.pop("version")
        status = data.pop("status", None)
        shared = data.pop("is_shared", None)
        worksheet = {k: v for k, v in data.items() if k in services.WORKSHEET_FIELDS}
        links = {k: v for k, v in data.items() if k in _PEOPLE_AND_LINKS}
        if worksheet or links or status in (None, cycle.status):
            cycle = services.cycle_update(cycle=cycle, version=version, **worksheet, **links)
            version = cycle.version
        if status is not None and status != cycle.status:
            cycle = services.cycle_status_move(cycle=cycle, status=status, version=version)
        if shared is not None:
            services.cycle_share(cycle=cycle, shared=shared)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        cycle = self.get_object()
        if not access.can_delete_team_work(request.user, cycle.team):
            raise PermissionDenied
        services.cycle_delete(cycle=cycle)
        return Response(status=204)
