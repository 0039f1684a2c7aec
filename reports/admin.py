from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reports.models import MonthlyReport


@admin.register(MonthlyReport)
class MonthlyReportAdmin(SimpleHistoryAdmin):
    list_display = ["team", "month", "status", "self_score", "advisor_score", "built_at"]
    list_filter = ["status", "month", "team__collaborative"]
    search_fields = ["team__name"]
    raw_id_fields = ["team", "submitted_by", "reviewed_by"]
    readonly_fields = ["snapshot", "built_at", "ready_notified_at"]
