"""Photos and files on a cycle: add one, open one (only through the access check, never a
public URL), remove one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from collaboratives.forms import add_service_errors, posted
from pdsa import attachments, selectors
from pdsa.attachment_forms import AttachmentForm
from pdsa.models import Cycle


def _cycle_files_url(cycle: Cycle) -> str:
    return reverse("pdsa:cycle-detail", args=[cycle.pk]) + "#files"


@login_required
@require_http_methods(["GET", "POST"])
def attachment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The team adds a photo or PDF (the form is on the cycle page too; a refused file comes
    back here with its reason next to the field)."""
    cycle = selectors.cycle_for(request.user, pk, write=True)
    form = AttachmentForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachments.attachment_add(cycle=cycle, uploaded_by=request.user,
                                       upload=form.cleaned_data["file"],
                                       caption=form.cleaned_data["caption"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Added to the cycle."))
            return redirect(_cycle_files_url(cycle))
    # The partial reads the files, the help and the limit itself ({% cycle_files %}).
    return render(request, "pdsa/attachment_form.html", {
        "cycle": cycle, "team": cycle.team, "attachment_form": form,
    })


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """The file itself, for whoever reads the team's work; 404 for everyone else."""
    item = attachments.attachment_for(request.user, pk)
    # Photos open in the page; a PDF is handed to the device's own reader (download), since
    # browsers refuse to show a PDF under the sandbox below.
    response = FileResponse(item.file.open("rb"), content_type=item.content_type,
                            as_attachment=not item.is_image,
                            filename=attachments.download_name(item))
    response["X-Content-Type-Options"] = "nosniff"
    # Even a file that somehow held markup would run nothing and reach nothing of the portal.
    response["Content-Security-Policy"] = ("sandbox; default-src 'none'; img-src 'self'; "
                                           "style-src 'unsafe-inline'")
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = attachments.attachment_for(request.user, pk, remove=True)
    name = item.caption or item.original_name
    if request.method == "POST":
        attachments.attachment_remove(attachment=item)
        messages.success(request, _("“%(name)s” removed.") % {"name": name})
        return redirect(_cycle_files_url(item.cycle))
    return render(request, "confirm_delete.html", {
        "cancel_url": _cycle_files_url(item.cycle),
        "title": _("Remove “%(name)s” from the cycle?") % {"name": name},
        "explanation": _("The file is deleted for everyone. The cycle's history keeps who "
                         "removed it and when."),
    })
