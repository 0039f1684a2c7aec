from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from measures.admin import ReadOnlyAdmin
from pdsa.models import Cycle, CycleAttachment, CycleComment, CycleParticipant


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


@admin.register(CycleAttachment)
class CycleAttachmentAdmin(ReadOnlyAdmin):
    """Looked at, never written here: the services check and clean a file (type, size, photo
    metadata) and remove it from storage, which an admin save or delete would skip. The file
    is opened through the portal's checked view, never a link to the storage."""

    list_display = ["original_name", "caption", "cycle", "content_type", "size", "uploaded_by",
                    "uploaded_at", "open_link"]
    list_filter = ["content_type", "cycle__team__collaborative"]
    search_fields = ["original_name", "caption", "cycle__title"]
    raw_id_fields = ["cycle", "uploaded_by"]
    list_select_related = ["cycle", "uploaded_by"]
    exclude = ["file"]
    readonly_fields = ["open_link"]

    @admin.display(description=_("file"))
    def open_link(self, attachment: CycleAttachment) -> str:
        return format_html('<a href="{}">{}</a>', attachment.get_absolute_url(), _("Open the file"))
