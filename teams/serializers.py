"""JSON shapes of collaboratives and teams for /api/v1/."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from collaboratives.models import (
    ChangeIdea,
    Collaborative,
    Period,
    PrimaryDriver,
    SecondaryDriver,
)
from teams import access
from teams.models import MemberRole, Membership, Organization, Team


class PeriodSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Period
        fields = ["id", "kind", "number", "label", "start_date", "end_date", "hours", "location"]


class CollaborativeSerializer(serializers.ModelSerializer):
    periods = PeriodSerializer(many=True, read_only=True)

    class Meta:
        model = Collaborative
        fields = [
            "id", "name", "topic", "state", "status", "start_date", "end_date",
            "aim_statement", "aim_target_date", "data_due_day", "report_due_day", "periods",
        ]


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "funding_streams", "city", "state"]


class MemberSerializer(serializers.ModelSerializer):
    """A person on a team. Until they accept an invitation, ``user`` is null and ``name`` is
    what the advisor typed: the answer never tells whether the email had an account."""

    user = serializers.SerializerMethodField()
    name = serializers.CharField(source="display_name", read_only=True)
    accepted = serializers.BooleanField(source="is_accepted", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "name", "role", "is_lead", "accepted"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_user(self, membership: Membership) -> int | None:
        return membership.user_id if membership.is_accepted else None


class TeamSerializer(serializers.ModelSerializer):
    collaborative = serializers.PrimaryKeyRelatedField(queryset=Collaborative.objects.all())
    organization = OrganizationSerializer(read_only=True)
    organization_id = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), source="organization", write_only=True
    )
    members = MemberSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "collaborative", "organization", "organization_id", "members"]
        # The service checks uniqueness and names the field; DRF's own check would not.
        validators: list = []

    def get_fields(self) -> dict:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # An id the caller may not see is answered like one that does not exist.
            fields["collaborative"].queryset = access.collaboratives_visible_to(request.user)
            # Programs of the caller's own collaboratives (or described by them), never
            # every program of a state: another collaborative's is answered as unknown.
            fields["organization_id"].queryset = access.organizations_offered_to(request.user)
        # A team stays in the collaborative it was created in.
        if self.instance is not None:
            fields["collaborative"].read_only = True
            fields["organization_id"].read_only = True
        return fields


class MembershipWriteSerializer(serializers.Serializer):
    """Add a person to a team by email; a new person is invited to set a password."""

    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    email = serializers.EmailField()
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=MemberRole.choices)
    is_lead = serializers.BooleanField(default=False)

    def get_fields(self) -> dict:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["team"].queryset = access.teams_visible_to(request.user)
        return fields


class MembershipSerializer(MemberSerializer):
    team = serializers.IntegerField(source="team_id", read_only=True)

    class Meta(MemberSerializer.Meta):
        fields = ["id", "team", "user", "name", "role", "is_lead", "accepted"]


class PrimaryDriverBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = PrimaryDriver
        fields = ["id", "title"]


class ChangeIdeaSerializer(serializers.ModelSerializer):
    """A change idea of a collaborative's driver diagram, with the secondary drivers it
    serves (ids, writable) and, read-only, the primary drivers those serve."""

    collaborative = serializers.PrimaryKeyRelatedField(queryset=Collaborative.objects.all())
    secondary_drivers = serializers.PrimaryKeyRelatedField(
        queryset=SecondaryDriver.objects.all(), many=True,
        help_text="Ids of the secondary drivers (of the same collaborative) it serves.",
    )
    primary_drivers = serializers.SerializerMethodField()

    class Meta:
        model = ChangeIdea
        fields = ["id", "collaborative", "title", "description", "order", "secondary_drivers",
                  "primary_drivers"]
        read_only_fields = ["order"]  # reordering is a move on the framework page
        # The service checks titles and links and names the field; DRF's own check would not.
        validators: list = []

    def get_fields(self) -> dict:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # An id the caller may not see is answered like one that does not exist.
            visible = access.collaboratives_visible_to(request.user)
            fields["collaborative"].queryset = visible
            fields["secondary_drivers"].child_relation.queryset = SecondaryDriver.objects.filter(
                collaborative__in=visible
            )
        # A change idea stays in the collaborative it was created in.
        if self.instance is not None:
            fields["collaborative"].read_only = True
        return fields

    @extend_schema_field(PrimaryDriverBriefSerializer(many=True))
    def get_primary_drivers(self, idea: ChangeIdea) -> list[dict]:
        # From the prefetched links (see ChangeIdeaViewSet.get_queryset): no query per idea.
        seen: dict[int, PrimaryDriver] = {}
        for secondary in idea.secondary_drivers.all():
            for primary in secondary.primary_drivers.all():
                seen.setdefault(primary.pk, primary)
        ordered = sorted(seen.values(), key=lambda primary: (primary.order, primary.pk))
        return PrimaryDriverBriefSerializer(ordered, many=True).data
