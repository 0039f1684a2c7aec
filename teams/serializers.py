"""JSON shapes of collaboratives and teams for /api/v1/."""

from __future__ import annotations

from rest_framework import serializers

from collaboratives.models import Collaborative, Period
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
            "aim_statement", "aim_target_date", "periods",
        ]


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "funding_streams", "city", "state"]


class MemberSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id", read_only=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "user", "name", "role", "is_lead"]

    def get_name(self, membership: Membership) -> str:
        return membership.user.get_full_name() or membership.user.get_username()


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
            fields["organization_id"].queryset = Organization.objects.filter(
                state__in=access.collaboratives_managed_by(request.user).values("state")
            )
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
        fields = ["id", "team", "user", "name", "role", "is_lead"]


