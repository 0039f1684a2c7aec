from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from collaboratives.models import (
    ApiToken,
    ChangeIdea,
    Collaborative,
    CollaborativeRole,
    PDOffering,
    Period,
    PrimaryDriver,
    SecondaryDriver,
    StateViewerRole,
)


class PeriodInline(admin.TabularInline):
    model = Period
    extra = 0


class CollaborativeRoleInline(admin.TabularInline):
    model = CollaborativeRole
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Collaborative)
class CollaborativeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "state", "status", "start_date", "end_date"]
    list_filter = ["status", "state"]
    search_fields = ["name", "topic"]
    inlines = [PeriodInline, CollaborativeRoleInline]


@admin.register(Period)
class PeriodAdmin(SimpleHistoryAdmin):
    list_display = ["collaborative", "kind", "number", "start_date", "end_date", "hours"]
    list_filter = ["kind"]


@admin.register(CollaborativeRole)
class CollaborativeRoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "collaborative", "role"]
    list_filter = ["role"]
    autocomplete_fields = ["user"]


@admin.register(StateViewerRole)
class StateViewerRoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "state"]
    list_filter = ["state"]
    autocomplete_fields = ["user"]


# The driver diagram. The portal's pages apply its rules (at most five primary drivers,
# links within one collaborative, no removal while something depends on an item); the
# admin is for site administrators repairing data, so it shows the links plainly.
@admin.register(PrimaryDriver)
class PrimaryDriverAdmin(SimpleHistoryAdmin):
    list_display = ["title", "collaborative", "order"]
    list_filter = ["collaborative"]
    search_fields = ["title", "description"]


@admin.register(SecondaryDriver)
class SecondaryDriverAdmin(SimpleHistoryAdmin):
    list_display = ["title", "collaborative", "order"]
    list_filter = ["collaborative"]
    search_fields = ["title", "description"]


@admin.register(ChangeIdea)
class ChangeIdeaAdmin(SimpleHistoryAdmin):
    list_display = ["title", "collaborative", "order"]
    list_filter = ["collaborative"]
    search_fields = ["title", "description"]


# The system assessment: state staff keep these on the portal's pages; the admin is for
# site administrators repairing data.
@admin.register(PDOffering)
class PDOfferingAdmin(SimpleHistoryAdmin):
    list_display = ["name", "state", "provider", "engages", "purpose", "programs_reached",
                    "people_reached"]
    list_filter = ["state"]
    search_fields = ["name", "provider", "description"]
    readonly_fields = ["created_by", "updated_at"]


# API tokens: the admin lists them and revokes (deletes) them; it cannot make one, since a
# key is shown only to whoever makes it (the profile page, `manage.py create_api_token`).
@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created", "expires", "last_used"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username"]
    date_hierarchy = "created"
    fields = ["user", "name", "created", "expires", "last_used"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
