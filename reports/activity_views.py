"""Activity pages: a collaborative's history for its leaders, a team's for the team and its
leaders. Reads only; the access module decides who may open each page."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from collaboratives.forms import DateInput
from collaboratives.validators import validate_date_in_window
from reports import activity
from teams import access


class ActivityFilterForm(forms.Form):
    """The page's GET filter. Its choices are the kinds the page covers and the people who
    made a change there; anything else is refused with a message."""

    kind = forms.ChoiceField(label=_("Kind of object"), required=False)
    person = forms.ChoiceField(label=_("Who"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput(),
                            validators=[validate_date_in_window])
    until = forms.DateField(label=_("To"), required=False, widget=DateInput(),
                            validators=[validate_date_in_window])

    def __init__(self, data, *, kinds: list[tuple[str, str]], people_ids: list[int | None]) -> None:
        super().__init__(data)
        self.fields["kind"].choices = [("", _("Everything")), *kinds]
        self.set_people([(activity.SYSTEM if pk is None else str(pk), str(pk)) for pk in people_ids])

    def set_people(self, people: list[tuple[str, str]]) -> None:
        """Named once the page has read the names (with the rows' people, in one query)."""
        self.fields["person"].choices = [("", _("Anyone")), *people]

    def clean(self) -> dict:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", forms.ValidationError(
                _("The end date must not be before the start date."), code="date_order"))
        return data

    def filters(self) -> activity.ActivityFilters:
        """What to show: the filter when it is valid, everything when it is not (the form
        shows why)."""
        if not self.is_valid():
            return activity.ActivityFilters()
        data = self.cleaned_data
        person = data["person"] or None
        if person and person != activity.SYSTEM:
            person = int(person)
        return activity.ActivityFilters(kind=data["kind"] or None, person=person,
                                        since=data["since"], until=data["until"])


def _page(request: HttpRequest, sources: list[activity.Source], context: dict) -> HttpResponse:
    people_ids = activity.activity_people_ids(sources)
    form = ActivityFilterForm(request.GET or None, kinds=activity.activity_kinds(sources),
                              people_ids=people_ids)
    result = activity.activity_page(sources, filters=form.filters() if form.is_bound
                                    else activity.ActivityFilters(),
                                    number=request.GET.get("page"), people_ids=people_ids)
    form.set_people(result.people)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reports/activity.html", {
        **context, "form": form, "page": result.page, "rows": result.rows,
        "query": query.urlencode(),
        "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
    })


@login_required
@require_GET
def collaborative_activity(request: HttpRequest, pk: int) -> HttpResponse:
    """Who changed the collaborative, its timeline, framework, measures, teams and members:
    for its advisors, coaches and faculty (403 to those who only read it, 404 to others)."""
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    return _page(request, activity.collaborative_activity_sources(collaborative),
                 {"collaborative": collaborative, "team": None})


@login_required
@require_GET
def team_activity(request: HttpRequest, pk: int) -> HttpResponse:
    """Who changed the team, its members, cycles, data and reports: for the team and its
    collaborative's leaders (404 to everyone else, state viewers included)."""
    team = access.team_for(request.user, pk)
    return _page(request, activity.team_activity_sources(request.user, team),
                 {"collaborative": team.collaborative, "team": team})
