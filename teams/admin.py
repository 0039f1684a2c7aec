from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from teams.models import (
    AffinityAttendance,
    AffinityGroup,
    AffinityMeeting,
    Evaluation,
    EvaluationQuestion,
    Membership,
    Organization,
    SessionAttendance,
    Team,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "city", "state"]
    list_filter = ["kind", "state"]
    search_fields = ["name", "city"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "collaborative", "organization"]
    list_filter = ["collaborative"]
    search_fields = ["name", "organization__name"]
    autocomplete_fields = ["organization"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "team", "role", "is_lead"]
    list_filter = ["role", "is_lead", "team__collaborative"]
    autocomplete_fields = ["user", "team"]


# --- Participation ------------------------------------------------------------------------

@admin.register(SessionAttendance)
class SessionAttendanceAdmin(SimpleHistoryAdmin):
    list_display = ["user", "period", "team", "role", "hours"]
    list_filter = ["role", "period__collaborative"]
    search_fields = ["user__username", "user__email", "user__last_name", "team__name"]
    autocomplete_fields = ["user", "team", "recorded_by"]
    list_select_related = ["user", "period", "team"]


class AffinityAttendanceInline(admin.TabularInline):
    model = AffinityAttendance
    extra = 0
    autocomplete_fields = ["user", "team"]


@admin.register(AffinityGroup)
class AffinityGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "collaborative", "role", "coach"]
    list_filter = ["role", "collaborative"]
    search_fields = ["name"]
    autocomplete_fields = ["coach"]


@admin.register(AffinityMeeting)
class AffinityMeetingAdmin(SimpleHistoryAdmin):
    list_display = ["group", "date", "topic", "hours"]
    list_filter = ["group__collaborative"]
    search_fields = ["topic", "group__name"]
    date_hierarchy = "date"
    inlines = [AffinityAttendanceInline]


@admin.register(AffinityAttendance)
class AffinityAttendanceAdmin(SimpleHistoryAdmin):
    list_display = ["user", "meeting", "team", "role", "hours"]
    list_filter = ["role", "meeting__group__collaborative"]
    search_fields = ["user__username", "user__email", "user__last_name", "team__name"]
    autocomplete_fields = ["user", "team"]
    list_select_related = ["user", "meeting__group", "team"]


class EvaluationQuestionInline(admin.TabularInline):
    model = EvaluationQuestion
    extra = 0


@admin.register(Evaluation)
class EvaluationAdmin(SimpleHistoryAdmin):
    list_display = ["title", "period", "is_anonymous", "is_open"]
    list_filter = ["is_open", "is_anonymous", "period__collaborative"]
    search_fields = ["title", "title_es"]
    inlines = [EvaluationQuestionInline]
