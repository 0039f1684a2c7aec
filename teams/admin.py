from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from teams.models import Membership, Organization, Team


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
