"""REST endpoints for collaboratives, teams and memberships, under the access rules."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from collaboratives import services as collaborative_services
from collaboratives.models import Collaborative
from teams import access, selectors, services
from teams.models import Membership, Team
from teams.serializers import (
    CollaborativeSerializer,
    MembershipSerializer,
    MembershipWriteSerializer,
    TeamSerializer,
)


def _as_drf_error(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class CollaborativeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):
    """Collaboratives the caller may see; advisors create and change them."""

    serializer_class = CollaborativeSerializer

    def get_queryset(self) -> QuerySet[Collaborative]:
        return access.collaboratives_visible_to(self.request.user).prefetch_related("periods")

    def perform_create(self, serializer: BaseSerializer) -> None:
        if not access.can_create_collaborative(self.request.user):
            raise PermissionDenied
        try:
            serializer.instance = collaborative_services.collaborative_create(
                created_by=self.request.user, **serializer.validated_data
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc

    def perform_update(self, serializer: BaseSerializer) -> None:
        if not access.can_manage_collaborative(self.request.user, serializer.instance):
            raise PermissionDenied
        try:
            collaborative_services.collaborative_update(
                collaborative=serializer.instance, **serializer.validated_data
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc


class TeamViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):
    """Teams whose page the caller may read, with members and roles; advisors write.
    Filter with ``?collaborative=<id>``."""

    serializer_class = TeamSerializer

    def get_queryset(self) -> QuerySet[Team]:
        teams = selectors.teams_with_members(access.teams_visible_to(self.request.user))
        collaborative = self.request.query_params.get("collaborative")
        if collaborative:
            if not collaborative.isdigit():
                raise ValidationError({"collaborative": ["Give a collaborative id."]})
            teams = teams.filter(collaborative_id=int(collaborative))
        return teams.order_by("name")

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        collaborative = data["collaborative"]
        if not access.collaboratives_visible_to(self.request.user).filter(pk=collaborative.pk).exists():
            raise ValidationError({"collaborative": ["No such collaborative."]})
        if not access.can_manage_collaborative(self.request.user, collaborative):
            raise PermissionDenied
        try:
            serializer.instance = services.team_create(
                collaborative=collaborative, name=data["name"], organization=data["organization"]
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc

    def perform_update(self, serializer: BaseSerializer) -> None:
        if not access.can_manage_team(self.request.user, serializer.instance):
            raise PermissionDenied
        try:
            services.team_update(team=serializer.instance, name=serializer.validated_data["name"])
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc


class MembershipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
    mixins.DestroyModelMixin, viewsets.GenericViewSet,
):
    """Memberships of the teams the caller may read. Advisors add people (POST with an
    email; new people are invited), change roles and remove them."""

    serializer_class = MembershipSerializer

    def get_queryset(self) -> QuerySet[Membership]:
        return Membership.objects.filter(
            team__in=access.teams_visible_to(self.request.user)
        ).select_related("user").order_by("team_id", "pk")

    def create(self, request: Request) -> Response:
        write = MembershipWriteSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        data = dict(write.validated_data)
        team = data.pop("team")
        if not access.can_read_team(request.user, team):
            raise ValidationError({"team": ["No such team."]})
        if not access.can_manage_team(request.user, team):
            raise PermissionDenied
        try:
            membership = services.membership_add(team=team, invited_by=request.user, **data)
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc
        return Response(MembershipSerializer(membership).data, status=201)

    def perform_update(self, serializer: BaseSerializer) -> None:
        membership = serializer.instance
        if not access.can_manage_team(self.request.user, membership.team):
            raise PermissionDenied
        data = serializer.validated_data
        try:
            services.membership_update(
                membership=membership, role=data.get("role", membership.role),
                is_lead=data.get("is_lead", membership.is_lead),
            )
        except DjangoValidationError as exc:
            raise _as_drf_error(exc) from exc

    def perform_destroy(self, instance: Membership) -> None:
        if not access.can_manage_team(self.request.user, instance.team):
            raise PermissionDenied
        services.membership_remove(membership=instance)
