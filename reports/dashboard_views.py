"""The dashboards: the cohort dashboard (a collaborative's leaders) and the state dashboard
(state and regional viewers). Views only read: ``reports.dashboard`` and
``reports.state_dashboard`` gather the figures."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collaboratives.models import USState
from measures.summaries import VARIATION_SHORT
from pdsa.leadership import role_label
from pdsa.models import Cycle
from reports import dashboard, state_dashboard
from reports.exports import export_response
from teams import access

ROWS_PER_PAGE = 50


class DashboardFilter(forms.Form):
    """The cohort dashboard's filter and order; a bad value falls back to the default."""

    q = forms.CharField(label=gettext_lazy("Team or program"), required=False, max_length=100)
    flag = forms.ChoiceField(label=gettext_lazy("Needs attention"), required=False,
                             choices=[("", gettext_lazy("All teams")), *dashboard.FLAGS.items()])
    sort = forms.ChoiceField(label=gettext_lazy("Order by"), required=False, choices=[
        ("name", gettext_lazy("Team name")),
        ("advisor_score", gettext_lazy("Advisor's score, lowest first")),
        ("self_score", gettext_lazy("Self-score, lowest first")),
        ("data", gettext_lazy("Measures missing, most first")),
        ("cycles", gettext_lazy("Cycles this action period, fewest first")),
        ("stalled", gettext_lazy("Stalled cycles, most first")),
    ])

    def values(self) -> dict[str, str]:
        """The valid choices; an invalid one falls back to its default, the others stay."""
        data: dict = {}
        if self.is_bound:
            self.is_valid()  # fills cleaned_data with the fields that are valid
            data = self.cleaned_data
        return {"query": data.get("q", ""), "flag": data.get("flag", ""),
                "sort": data.get("sort") or "name"}


# Orders where the largest first is what needs a call.
_DESCENDING = {"data", "stalled"}


@login_required
def cohort_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """Where advisors and coaches land: the collaborative's course and one row per team."""
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    board = dashboard.cohort_dashboard(collaborative, request.user)
    form = DashboardFilter(request.GET or None)
    chosen = form.values()
    rows = dashboard.rows_filtered(board.rows, query=chosen["query"], flag=chosen["flag"],
                                   sort=chosen["sort"], descending=chosen["sort"] in _DESCENDING)
    fmt = request.GET.get("format")
    if fmt:
        return export_response(fmt, f"cohort-dashboard-{collaborative.pk}", dashboard.tables(board, rows))
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reports/dashboard.html", {
        "collaborative": collaborative, "board": board, "form": form, "page": page,
        "levels": dashboard.scale.LEVELS,
        "variation_words": [(icon, words) for icon, words in VARIATION_SHORT.items()
                            if not icon.startswith("neutral")],
        "rows": page.object_list, "matching": len(rows), "chosen": chosen,
        "query_string": query.urlencode(), "flags": [
            (flag, label, board.flag_counts[flag]) for flag, label in dashboard.FLAGS.items()],
    })


# --- The state dashboard ---------------------------------------------------------------------

@login_required
def state_home(request: HttpRequest) -> HttpResponse:
    """Where a state viewer lands: every collaborative of their state, aggregates only."""
    states = access.states_watched_by(request.user)
    if not access.can_watch_states(request.user):
        raise PermissionDenied(_("The state dashboard is for state and regional staff."))
    state = request.GET.get("state") or (states[0] if states else "")
    if states and state not in states:
        state = states[0]
    board = state_dashboard.state_dashboard(state, request.user) if state else None
    fmt = request.GET.get("format")
    if fmt and board is not None:
        return export_response(fmt, f"state-dashboard-{state}", state_dashboard.tables(board))
    labels = dict(USState.choices)
    return render(request, "reports/state_dashboard.html", {
        "board": board, "state": state, "states": [(code, labels.get(code, code)) for code in states],
        "decisions": Cycle.Decision.choices,
        "roles": [(key, role_label(key)) for key in state_dashboard.LEAD_COLUMNS],
    })
