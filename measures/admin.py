from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from measures.models import Measure, MeasureEvent, MeasurePhase, MeasureValue, Stratum


class StratumInline(admin.TabularInline):
    model = Stratum
    extra = 0


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ["name", "collaborative", "type", "unit", "chart_kind", "records_events", "order"]
    list_filter = ["type", "records_events", "collaborative"]
    search_fields = ["name", "name_es"]
    inlines = [StratumInline]


@admin.register(Stratum)
class StratumAdmin(SimpleHistoryAdmin):
    list_display = ["label", "measure", "is_reference", "order"]


@admin.register(MeasureValue)
class MeasureValueAdmin(SimpleHistoryAdmin):
    list_display = ["team", "measure", "month", "stratum", "numerator", "denominator"]
    list_filter = ["measure__collaborative", "measure"]
    date_hierarchy = "month"
    raw_id_fields = ["team", "entered_by"]


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Looked at, never written here: the services keep what depends on these rows in step
    (an event's monthly counts, a phase's chart, a cycle file's stored copy), which an admin
    save or delete would skip. pdsa's file admin uses it too."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MeasureEvent)
class MeasureEventAdmin(ReadOnlyAdmin):
    list_display = ["date", "measure", "team", "created_by", "created_at"]
    list_filter = ["measure__collaborative", "measure"]
    date_hierarchy = "date"
    raw_id_fields = ["measure", "team", "created_by"]
    list_select_related = ["measure", "team", "created_by"]


@admin.register(MeasurePhase)
class MeasurePhaseAdmin(ReadOnlyAdmin):
    list_display = ["start_month", "measure", "team", "reason", "change_idea"]
    list_filter = ["measure__collaborative", "measure"]
    search_fields = ["reason"]
    raw_id_fields = ["measure", "team", "change_idea", "created_by"]
    list_select_related = ["measure", "team", "change_idea"]
