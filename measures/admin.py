from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from measures.models import Measure, MeasureValue, Stratum


class StratumInline(admin.TabularInline):
    model = Stratum
    extra = 0


@admin.register(Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    list_display = ["name", "collaborative", "type", "unit", "chart_kind", "order"]
    list_filter = ["type", "collaborative"]
    search_fields = ["name"]
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
