"""Start a collaborative from a change package: choose a source, see what it holds and
what fits, tick the parts, copy.

For the collaborative's improvement advisor only, as its leaders list (a coach or a reader
is refused with 403, anyone else 404). The sources offered are the built-in packages and
the other collaboratives the advisor leads; any other choice is refused before anything
about it is read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from collaboratives.forms import add_service_errors
from collaboratives.models import Collaborative
from collaboratives.packages import ChangePackage
from measures.packages import (
    collaborative_copy_from,
    package_choices_for,
    package_from_collaborative,
    package_preview,
    source_for_choice,
)
from reports.setup_forms import StartFromForm
from teams import access


def _advised_collaborative(user: access.User, pk: int) -> Collaborative:
    collaborative = access.collaborative_for(user, pk, manage=True)
    if not access.can_manage_collaborative_staff(user, collaborative):
        raise PermissionDenied
    return collaborative


@login_required
@require_http_methods(["GET", "POST"])
def start_from(request: HttpRequest, pk: int) -> HttpResponse:
    target = _advised_collaborative(request.user, pk)
    sources = package_choices_for(request.user, target)
    if request.method == "POST":
        form = StartFromForm(request.POST, sources=sources)
        chosen = request.POST.get("source", "")
    else:
        chosen = request.GET.get("source", "") or sources[0][0]
        form = StartFromForm(initial={"source": chosen}, sources=sources)
    source = source_for_choice(request.user, chosen) if chosen in dict(sources) else None
    if request.method == "POST" and form.is_valid() and source is not None:
        by = {"source": source} if isinstance(source, Collaborative) else {"package": source}
        try:
            copied = collaborative_copy_from(target=target, parts=form.cleaned_data["parts"],
                                             copied_by=request.user, **by)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Copied into this collaborative: %(what)s. Change "
                                        "anything to fit your collaborative.")
                             % {"what": copied.summary()})
            return redirect(target)
    package = (source if isinstance(source, ChangePackage) or source is None
               else package_from_collaborative(source))
    preview = package_preview(target=target, package=package) if package is not None else []
    ticked = (form["parts"].value() if form.is_bound
              else [part.key for part in preview if part.can_copy])
    return render(request, "collaboratives/start_from.html", {
        "collaborative": target, "form": form, "chosen": chosen, "package": package,
        "preview": preview, "ticked": ticked or [],
        "unknown_source": bool(chosen) and source is None,
    })
