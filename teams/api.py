"""REST endpoints for collaboratives, teams and memberships, under the access rules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from collaboratives import services as collaborative_services
from collaboratives.models import ChangeIdea, Collaborative
from teams import access, selectors, services
from teams.models import Membership, Team
from teams.serializers import (
    ChangeIdeaSerializer,
    CollaborativeSerializer,
    MembershipSerializer,
    MembershipWriteSerializer,
    TeamSerializer,
)


def as_drf_error(exc: DjangoValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})
    return ValidationError({
        api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: messages
        for field, messages in exc.message_dict.items()
    })


def id_param(request: Request, name: str) -> int | None:
    """An id in the query string, or ``None`` when absent; anything but ASCII digits is a 400
    naming the parameter (``str.isdigit`` alone accepts "²", which ``int`` refuses)."""
    raw = request.query_params.get(name)
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise ValidationError({name: [_("Give an id.")]})
    return int(raw)


def choice_param(request: Request, name: str, choices: list[str]) -> str | None:
    """One of ``choices`` in the query string, or ``None`` when absent; else a 400."""
    raw = request.query_params.get(name)
    if not raw:
        return None
    if raw not in choices:
        raise ValidationError({name: [_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)}]})
    return raw


@contextmanager
def drf_validation_errors() -> Iterator[None]:
    """A service's ValidationError becomes a DRF 400 that names its fields."""
    try:
        yield
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


class LeadsACollaborative(permissions.BasePermission):
    """Writes are for people who lead some collaborative (or may start one); everyone else
    gets 403 before their input is even read. Which object they may change is checked
    against the access rules in each view."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        grants = access.grants_for(request.user)
        return bool(grants.is_superuser or grants.led_collaborative_ids
                    or access.can_create_collaborative(request.user))


class CollaborativeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):
    """Collaboratives the caller may see; advisors create and change them."""

    serializer_class = CollaborativeSerializer
    permission_classes = [permissions.IsAuthenticated, LeadsACollaborative]

    def get_queryset(self) -> QuerySet[Collaborative]:
        return access.collaboratives_visible_to(self.request.user).prefetch_related("periods")

    def perform_create(self, serializer: BaseSerializer) -> None:
        if not access.can_create_collaborative(self.request.user):
            raise PermissionDenied
        with drf_validation_errors():
            serializer.instance = collaborative_services.collaborative_create(
                created_by=self.request.user, **serializer.validated_data
            )

    def perform_update(self, serializer: BaseSerializer) -> None:
        if not access.can_manage_collaborative(self.request.user, serializer.instance):
            raise PermissionDenied
        with drf_validation_errors():
            collaborative_services.collaborative_update(
                collaborative=serializer.instance, **serializer.validated_data
            )


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("collaborative", int)]))
class TeamViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):
    """Teams whose page the caller may read, with members and roles; advisors write.
    Filter with ``?collaborative=<id>``."""

    serializer_class = TeamSerializer
    permission_classes = [permissions.IsAuthenticated, LeadsACollaborative]

    def get_queryset(self) -> QuerySet[Team]:
        teams = selectors.teams_with_members(access.teams_visible_to(self.request.user))
        collaborative = id_param(self.request, "collaborative")
        if collaborative is not None:
            teams = teams.filter(collaborative_id=collaborative)
        return teams.order_by("name")

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        collaborative = data["collaborative"]  # limited to visible ones by the serializer
        if not access.can_manage_collaborative(self.request.user, collaborative):
            raise PermissionDenied
        with drf_validation_errors():
            serializer.instance = services.team_create(
                collaborative=collaborative, name=data["name"], organization=data["organization"]
            )

    def perform_update(self, serializer: BaseSerializer) -> None:
        if not access.can_manage_team(self.request.user, serializer.instance):
            raise PermissionDenied
        with drf_validation_errors():
            services.team_update(
                team=serializer.instance,
                name=serializer.validated_data.get("name", serializer.instance.name),
            )


@extend_schema_view(create=extend_schema(request=MembershipWriteSerializer,
                                         responses={201: MembershipSerializer}))
class MembershipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
    mixins.DestroyModelMixin, viewsets.GenericViewSet,
):
    """Memberships of the teams the caller may read. Advisors add people (POST with an
    email; new people are invited), change roles and remove them."""

    serializer_class = MembershipSerializer
    permission_classes = [permissions.IsAuthenticated, LeadsACollaborative]

    def get_queryset(self) -> QuerySet[Membership]:
        return Membership.objects.filter(
            team__in=access.teams_visible_to(self.request.user)
        ).select_related("user").order_by("team_id", "pk")

    def create(self, request: Request) -> Response:
        write = MembershipWriteSerializer(data=request.data, context=self.get_serializer_context())
        write.is_valid(raise_exception=True)
        data = dict(write.validated_data)
        team = data.pop("team")  # limited to readable teams by the serializer
        if not access.can_manage_team(request.user, team):
            raise PermissionDenied
        with drf_validation_errors():
            membership = services.membership_add(team=team, invited_by=request.user, **data)
        return Response(MembershipSerializer(membership).data, status=201)

    def perform_update(self, serializer: BaseSerializer) -> None:
        membership = serializer.instance
        if not access.can_manage_team(self.request.user, membership.team):
            raise PermissionDenied
        data = serializer.validated_data
        with drf_validation_errors():
            services.membership_update(
                membership=membership, role=data.get("role", membership.role),
                is_lead=data.get("is_lead", membership.is_lead),
            )

    def perform_destroy(self, instance: Membership) -> None:
        if not access.can_manage_team(self.request.user, instance.team):
            raise PermissionDenied
        services.membership_remove(membership=instance)


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("collaborative", int), OpenApiParameter("secondary_driver", int)]))
class ChangeIdeaViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet,
):
    """Change ideas of the collaboratives the caller may read; their leaders create,
    change and remove them. Filter with ``?collaborative=<id>`` and
    ``?secondary_driver=<id>``. Removing one that PDSA cycles test answers 400."""

    serializer_class = ChangeIdeaSerializer
    permission_classes = [permissions.IsAuthenticated, LeadsACollaborative]

    def get_queryset(self) -> QuerySet[ChangeIdea]:
        ideas = ChangeIdea.objects.filter(
            collaborative__in=access.collaboratives_visible_to(self.request.user)
        ).prefetch_related("secondary_drivers__primary_drivers")
        for param, lookup in (("collaborative", "collaborative_id"),
                              ("secondary_driver", "secondary_drivers")):
            value = id_param(self.request, param)
            if value is not None:
                ideas = ideas.filter(**{lookup: value})
        return ideas.order_by("collaborative_id", "order", "pk")

    def perform_create(self, serializer: BaseSerializer) -> None:
        data = serializer.validated_data
        collaborative = data["collaborative"]  # limited to visible ones by the serializer
        if not access.can_manage_collaborative(self.request.user, collaborative):
            raise PermissionDenied
        with drf_validation_errors():
            serializer.instance = collaborative_services.change_idea_create(
                collaborative=collaborative, title=data["title"],
                description=data.get("description", ""),
                secondary_drivers=data["secondary_drivers"],
            )

    def perform_update(self, serializer: BaseSerializer) -> None:
        idea = serializer.instance
        if not access.can_manage_collaborative(self.request.user, idea.collaborative):
            raise PermissionDenied
        data = serializer.validated_data
        with drf_validation_errors():
            collaborative_services.change_idea_update(
                change_idea=idea, title=data.get("title", idea.title),
                description=data.get("description", idea.description),
                secondary_drivers=data.get("secondary_drivers"),  # absent: links kept
            )
        # The prefetched links are stale after the update; answer with the saved ones.
        serializer.instance = self.get_queryset().get(pk=idea.pk)

    def perform_destroy(self, instance: ChangeIdea) -> None:
        if not access.can_manage_collaborative(self.request.user, instance.collaborative):
            raise PermissionDenied
        with drf_validation_errors():
            collaborative_services.change_idea_delete(change_idea=instance)
