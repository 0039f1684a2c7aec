"""Pages for those who lead a collaborative: every team's cycles in one list, and who leads
and takes part in them (distributed leadership). Members and state viewers get 403, others
404 (``access.collaborative_for(..., manage=True)``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from collaboratives.models import Collaborative
from measures.csvio import write_table
from pdsa import leadership as leadership_module
from pdsa import selectors
from pdsa.forms import CollaborativeCycleFilterForm
from pdsa.models import Cycle
from teams import access
from teams.models import MemberRole

CYCLES_PER_PAGE = 50


def _filtered_cycles(request: HttpRequest, collaborative: Collaborative
                     ) -> tuple[CollaborativeCycleFilterForm, QuerySet[Cycle]]:
    form = CollaborativeCycleFilterForm(request.GET, collaborative=collaborative)
    form.is_valid()  # a field in error is dropped from the filters and shown on the form
    return form, selectors.collaborative_cycles(request.user, collaborative, **form.filters())


def _csv_response(header: list[str], rows: list[list[object]], filename: str) -> HttpResponse:
    response = HttpResponse(write_table(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def collaborative_cycles(request: HttpRequest, pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    form, cycles = _filtered_cycles(request, collaborative)
    if form.errors:
        messages.warning(request, _("Some filters were not understood and were left out: "
                                    "see the fields marked below."))
    paginator = Paginator(cycles, CYCLES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "pdsa/collaborative_cycles.html", {
        "collaborative": collaborative, "form": form, "page": page,
        "cycles": page.object_list, "matching": paginator.count,
        "page_links": (list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
                       if paginator.num_pages > 1 else []),
        "stalled_after_weeks": selectors.STALLED_AFTER.days // 7,
    })


@login_required
def collaborative_cycles_csv(request: HttpRequest, pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    form, cycles = _filtered_cycles(request, collaborative)
    if form.errors:
        # Not a file of something other than what was asked: back to the list, which says why.
        return redirect(f"{reverse('pdsa:collaborative-cycles', args=[pk])}?{request.GET.urlencode()}")
    header, rows = selectors.collaborative_cycles_csv_rows(cycles.iterator(chunk_size=2000))
    return _csv_response(header, rows, f"bsc-collaborative-{collaborative.pk}-pdsa-cycles.csv")


def _leadership_of(request: HttpRequest, collaborative: Collaborative) -> leadership_module.Leadership:
    # Those who lead the collaborative count every team's cycles, shared or not.
    return leadership_module.leadership(selectors.cycles_counted_for(request.user, collaborative),
                                        collaborative.teams.all())


@login_required
def leadership(request: HttpRequest, pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    result = _leadership_of(request, collaborative)
    return render(request, "pdsa/leadership.html", {
        "collaborative": collaborative, "result": result,
        "figure": leadership_module.leadership_figure(result) if result.rows else None,
        "role_labels": [leadership_module.role_label(key) for key in leadership_module.LEAD_KEYS],
        "took_part_labels": [leadership_module.role_label(key) for key in MemberRole.values],
        "teams_without_family": [(name, reverse("teams:detail", args=[team_pk]))
                                 for team_pk, name in result.teams_without_family],
    })


@login_required
def leadership_csv(request: HttpRequest, pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    header, rows = leadership_module.leadership_csv_rows(_leadership_of(request, collaborative))
    return _csv_response(header, rows, f"bsc-collaborative-{collaborative.pk}-pdsa-leadership.csv")
