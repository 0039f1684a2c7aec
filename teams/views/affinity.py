"""Affinity groups: people of one role across the collaborative's teams, meeting with a coach.

Leaders run them (create, edit, record meetings); team members read the groups of their own
role; state viewers, who read only aggregates, get 403 on the list (access.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from collaboratives.forms import add_service_errors, posted
from teams import access, participation
from teams.models import AffinityGroup, AffinityMeeting
from teams.participation_forms import AffinityGroupForm, AffinityMeetingForm, marked


@login_required
def group_list(request: HttpRequest, pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk)
    can_manage = access.can_manage_collaborative(request.user, collaborative)
    if not can_manage and collaborative.pk not in access.grants_for(request.user).member_collaborative_ids:
        raise PermissionDenied  # a state viewer: groups, members and notes are not aggregates
    groups = access.affinity_groups_visible_to(request.user).filter(collaborative=collaborative)
    return render(request, "teams/participation/affinity_group_list.html", {
        "collaborative": collaborative, "groups": participation.affinity_group_summaries(groups),
        "can_manage": can_manage,
    })


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest, pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    return _group_edit(request, AffinityGroup(collaborative=collaborative))


@login_required
@require_http_methods(["GET", "POST"])
def group_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _group_edit(request, access.affinity_group_for(request.user, pk, manage=True))


def _group_edit(request: HttpRequest, group: AffinityGroup) -> HttpResponse:
    collaborative = group.collaborative
    form = AffinityGroupForm(posted(request), instance=group, collaborative=collaborative)
    if request.method == "POST" and form.is_valid():
        try:
            group = participation.affinity_group_save(
                collaborative=collaborative, group=group if group.pk else None,
                **{name: form.cleaned_data[name] for name in ("name", "role", "coach", "description")})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Affinity group “%(name)s” saved.") % {"name": group.name})
            return redirect("participation:affinity-group", pk=group.pk)
    return render(request, "teams/participation/affinity_group_form.html",
                  {"form": form, "collaborative": collaborative, "group": group})


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = access.affinity_group_for(request.user, pk)
    can_manage = access.can_manage_collaborative(request.user, group.collaborative)
    hours = participation.affinity_hours_by_person(group) if can_manage else {}
    people = [{"person": person, "hours": hours.get(person.user_id)}
              for person in participation.affinity_group_people(group)]
    return render(request, "teams/participation/affinity_group_detail.html", {
        "group": group, "collaborative": group.collaborative, "people": people,
        "meetings": participation.affinity_meetings(group), "can_manage": can_manage,
    })


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int, meeting_pk: int | None = None) -> HttpResponse:
    group = access.affinity_group_for(request.user, pk, manage=True)
    meeting = (get_object_or_404(group.meetings, pk=meeting_pk) if meeting_pk is not None
               else AffinityMeeting(group=group))
    people = participation.affinity_group_people(group)
    recorded = participation.affinity_meeting_hours_of(meeting) if meeting.pk else {}
    data = posted(request)
    mark_all = data is not None and bool(data.get("mark_all"))
    if mark_all:
        data = marked(data, people, None)
    form = AffinityMeetingForm(data, instance=meeting, people=people, recorded=recorded)
    if data is not None and not mark_all and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ("date", "hours", "topic", "notes")}
        try:
            meeting = participation.affinity_meeting_save(
                group=group, meeting=meeting if meeting.pk else None, **fields,
                attendance=form.cleaned_data["attendance"], saved_by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Meeting of %(date)s saved.")
                             % {"date": date_format(meeting.date, "DATE_FORMAT")})
            return redirect("participation:affinity-group", pk=group.pk)
    return render(request, "teams/participation/affinity_meeting_form.html", {
        "group": group, "collaborative": group.collaborative, "meeting": meeting, "form": form,
        "rows": form.person_rows(), "marked_all": mark_all,
        "problems": form.problem_count() if form.is_bound and not mark_all else 0,
    })
