"""JSON shape of PDSA cycles for /api/v1/pdsa-cycles/."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from collaboratives.models import ChangeIdea
from measures.models import Measure
from pdsa import selectors
from pdsa.attachments import attachments_of
from pdsa.forms import WRONG_CHANGE_IDEA, WRONG_EARLIER_CYCLE, WRONG_MEASURE, WRONG_PERSON
from pdsa.models import Cycle, CycleAttachment, CycleParticipant
from teams import access
from teams.models import Team


class ParticipationSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id", read_only=True)
    # Plain text in the schema: the team role enum is already published under memberships.
    role = serializers.CharField(read_only=True)

    class Meta:
        model = CycleParticipant
        fields = ["user", "role"]


class CycleAttachmentSerializer(serializers.ModelSerializer):
    """A photo or file on the cycle. ``url`` is the portal's own checked link (the file is
    never public); it answers only those who read the team's work."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = CycleAttachment
        fields = ["id", "original_name", "caption", "content_type", "size", "url"]
        read_only_fields = fields

    def get_url(self, attachment: CycleAttachment) -> str:
        return attachment.get_absolute_url()


def _not_found(message: str) -> dict:
    # Said the same whether the id exists out of the caller's sight or not at all, so an
    # answer does not tell an outsider that it exists.
    return {"does_not_exist": message}


class CycleSerializer(serializers.ModelSerializer):
    """A cycle and its worksheet. ``version`` is required on a change: the save is refused
    (409) if someone saved since. ``status`` moves one step at a time; ``participants`` are
    user ids of the team's members, ``participations`` their roles as recorded."""

    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.none())
    change_idea = serializers.PrimaryKeyRelatedField(
        queryset=ChangeIdea.objects.none(), error_messages=_not_found(WRONG_CHANGE_IDEA))
    follows = serializers.PrimaryKeyRelatedField(
        queryset=Cycle.objects.none(), allow_null=True, required=False,
        error_messages=_not_found(WRONG_EARLIER_CYCLE))
    lead = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(), allow_null=True, required=False,
        error_messages=_not_found(WRONG_PERSON))
    participants = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(), many=True, required=False,
        error_messages=_not_found(WRONG_PERSON))
    participations = ParticipationSerializer(many=True, read_only=True)
    attachments = serializers.SerializerMethodField()
    lead_role = serializers.CharField(read_only=True)
    measures = serializers.PrimaryKeyRelatedField(
        queryset=Measure.objects.none(), many=True, required=False,
        error_messages=_not_found(WRONG_MEASURE))
    version = serializers.IntegerField(min_value=1, required=False)

    class Meta:
        model = Cycle
        fields = [
            "id", "team", "change_idea", "follows", "number", "title", "status", "decision",
            "is_shared", "version", "scale", "lead", "lead_role", "participants",
            "participations", "objective", "questions", "prediction", "plan_who", "plan_what",
            "plan_when", "plan_where", "planned_start", "data_collection_plan", "measures",
            "do_what_happened", "do_problems", "do_unexpected", "done_on", "study_summary",
            "study_learned", "next_step", "attachments", "completed_at", "created_at",
            "updated_at",
        ]
        read_only_fields = ["number", "lead_role", "completed_at", "created_at", "updated_at"]
        # The services check the ramp and name the field; DRF's own check would not.
        validators: list = []

    def get_fields(self) -> dict:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            # Anything the caller may not read is answered like something that does not exist.
            user = request.user
            collaboratives = access.collaboratives_visible_to(user)
            fields["team"].queryset = access.teams_visible_to(user)
            fields["change_idea"].queryset = ChangeIdea.objects.filter(
                collaborative__in=collaboratives)
            fields["follows"].queryset = selectors.cycles_visible_to(user)
            people = get_user_model().objects.filter(
                memberships__team__in=access.teams_visible_to(user),
                memberships__accepted_at__isnull=False).distinct()
            fields["lead"].queryset = people
            fields["participants"].child_relation.queryset = people
            fields["measures"].child_relation.queryset = Measure.objects.filter(
                collaborative__in=collaboratives)
        if isinstance(self.instance, Cycle):
            fields["team"].read_only = True
        return fields

    @extend_schema_field(CycleAttachmentSerializer(many=True))
    def get_attachments(self, cycle: Cycle) -> list[dict]:
        """The files the caller may open: a shared cycle's files stay with its team, so
        another team reading the worksheet gets none. The viewset prefetches them, already
        limited to the caller's (``attachments.attachments_visible_to``)."""
        if "attachments" in getattr(cycle, "_prefetched_objects_cache", {}):
            items = cycle.attachments.all()
        else:
            request = self.context.get("request")
            items = (attachments_of(request.user, cycle)
                     if request is not None else CycleAttachment.objects.none())
        return CycleAttachmentSerializer(items, many=True).data

    def to_representation(self, instance: Cycle) -> dict:
        data = super().to_representation(instance)
        data["participants"] = [p.user_id for p in instance.participations.all()]
        return data
