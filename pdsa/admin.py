from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from pdsa.models import Cycle, CycleComment, CycleParticipant


class CycleParticipantInline(admin.TabularInline):
    model = CycleParticipant
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Cycle)
class CycleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "team", "change_idea", "number", "status", "decision", "is_shared"]
    list_filter = ["status", "decision", "is_shared", "team__collaborative"]
    search_fields = ["title", "team__name", "change_idea__title"]
    raw_id_fields = ["team", "change_idea", "follows", "lead", "created_by"]
    filter_horizontal = ["measures"]
    inlines = [CycleParticipantInline]


@admin.register(CycleComment)
class CycleCommentAdmin(admin.ModelAdmin):
    list_display = ["cycle", "author", "created_at"]
    raw_id_fields = ["cycle", "author"]
