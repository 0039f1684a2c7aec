"""Pages for a collaborative's change framework: the driver diagram's primary drivers,
secondary drivers and change ideas.

Everyone who reads the collaborative reads the framework; its leaders change it. One set
of views serves the three kinds of item, chosen by the ``kind`` in the URL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from collaboratives import selectors, services
from collaboratives.forms import (
    ChangeIdeaForm,
    PrimaryDriverForm,
    SecondaryDriverForm,
    add_service_errors,
    posted,
)
from collaboratives.models import ChangeIdea, Collaborative, PrimaryDriver, SecondaryDriver
from teams import access


@dataclass(frozen=True)
class Kind:
    """One column of the driver diagram and the services that write it."""

    slug: str
    model: type[Model]
    form: type
    label: str
    create: Callable
    update: Callable
    delete: Callable
    field: str  # the argument name the update and delete services take

    def items(self, collaborative: Collaborative) -> QuerySet:
        return self.model.objects.filter(collaborative=collaborative)


KINDS = {
    kind.slug: kind for kind in (
        Kind("primary-driver", PrimaryDriver, PrimaryDriverForm, gettext_lazy("primary driver"),
             services.primary_driver_create, services.primary_driver_update,
             services.primary_driver_delete, "primary_driver"),
        Kind("secondary-driver", SecondaryDriver, SecondaryDriverForm,
             gettext_lazy("secondary driver"), services.secondary_driver_create,
             services.secondary_driver_update, services.secondary_driver_delete,
             "secondary_driver"),
        Kind("change-idea", ChangeIdea, ChangeIdeaForm, gettext_lazy("change idea"),
             services.change_idea_create, services.change_idea_update,
             services.change_idea_delete, "change_idea"),
    )
}


def _kind(slug: str) -> Kind:
    try:
        return KINDS[slug]
    except KeyError:
        raise Http404("No such kind of framework item.") from None


def _framework_url(collaborative: Collaborative, kind: Kind | None = None) -> str:
    url = reverse("collaboratives:framework", args=[collaborative.pk])
    return f"{url}#{kind.slug}s" if kind else url


@login_required
def framework(request: HttpRequest, pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk)
    can_manage = access.can_manage_collaborative(request.user, collaborative)
    items = selectors.collaborative_framework(collaborative)
    forms = {}
    if can_manage:
        # Three add forms on one page: each gets its own ids.
        forms = {kind.field: kind.form(collaborative=collaborative, auto_id=f"id_{kind.field}_%s")
                 for kind in KINDS.values()}
    return render(request, "collaboratives/framework.html", {
        "collaborative": collaborative, "framework": items, "can_manage": can_manage,
        "forms": forms, "max_primary_drivers": services.MAX_PRIMARY_DRIVERS,
    })


@login_required
@require_http_methods(["GET", "POST"])
def framework_item_edit(
    request: HttpRequest, pk: int, kind: str, item_pk: int | None = None
) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    item_kind = _kind(kind)
    item = None if item_pk is None else get_object_or_404(item_kind.items(collaborative), pk=item_pk)
    form = item_kind.form(posted(request), instance=item, collaborative=collaborative)
    if request.method == "POST" and form.is_valid():
        text = {name: form.cleaned_data[name]
                for name in ("title", "description", "title_es", "description_es")}
        try:
            if item is None:
                item = item_kind.create(collaborative=collaborative, **text, **form.links())
            else:
                item_kind.update(**{item_kind.field: item}, **text, **form.links())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(kind)s “%(title)s” saved.") % {
                "kind": str(item_kind.label).capitalize(), "title": item.display_title,
            })
            return redirect(_framework_url(collaborative, item_kind))
    return render(request, "collaboratives/framework_item_form.html", {
        "collaborative": collaborative, "form": form, "item": item, "kind": item_kind,
    })


@login_required
@require_http_methods(["GET", "POST"])
def framework_item_delete(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    item_kind = _kind(kind)
    item = get_object_or_404(item_kind.items(collaborative), pk=item_pk)
    if request.method == "POST":
        title = item.title
        try:
            item_kind.delete(**{item_kind.field: item})
        except ValidationError as exc:
            messages.error(request, _("“%(title)s” was not removed. %(reason)s") % {
                "title": title, "reason": " ".join(exc.messages),
            })
        else:
            messages.success(request, _("“%(title)s” removed.") % {"title": title})
        return redirect(_framework_url(collaborative, item_kind))
    return render(request, "collaboratives/framework_item_delete.html", {
        "collaborative": collaborative, "item": item, "kind": item_kind,
    })


@login_required
@require_POST
def framework_item_move(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    item_kind = _kind(kind)
    item = get_object_or_404(item_kind.items(collaborative), pk=item_pk)
    direction = request.POST.get("direction", "")
    try:
        services.framework_item_move(item=item, direction=direction)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        # Said aloud too: the page reloads and a screen reader would not notice the move.
        message = _("“%(title)s” moved up.") if direction == "up" else _("“%(title)s” moved down.")
        messages.success(request, message % {"title": item.display_title})
    return redirect(_framework_url(collaborative, item_kind))
