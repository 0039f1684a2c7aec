"""Learning sessions (agenda, attendance, sign-in sheets) and dosage.

Everyone who reads a collaborative reads its sessions' dates, places and agendas; who
attended is for its leaders only, who also record it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from collaboratives.forms import add_service_errors, posted
from collaboratives.models import Collaborative, Period
from teams import access, dosage, participation
from teams.models import Team
from teams.participation_forms import AttendanceImportForm, SessionAttendanceForm, marked

# Teams on one attendance screen: 40 people fit on one; 200 teams go in pages, which also
# keeps a post under Django's limit of 1,000 fields (two a person).
ATTENDANCE_TEAMS_PER_PAGE = 25


def _session(collaborative: Collaborative, period_pk: int) -> Period:
    """A learning session of this collaborative; 404 for any other period."""
    return get_object_or_404(participation.learning_sessions(collaborative), pk=period_pk)


@login_required
def session_list(request: HttpRequest, pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk)
    can_manage = access.can_manage_collaborative(request.user, collaborative)
    if can_manage:
        sessions = participation.session_summaries(collaborative)
        members = participation.member_count(collaborative)
    else:
        sessions = [participation.SessionSummary(period, 0, 0, 0)
                    for period in participation.learning_sessions(collaborative)]
        members = 0
    return render(request, "teams/participation/session_list.html", {
        "collaborative": collaborative, "sessions": sessions, "members": members,
        "can_manage": can_manage,
    })


@login_required
def session_detail(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk)
    period = _session(collaborative, period_pk)
    can_manage = access.can_manage_collaborative(request.user, collaborative)
    own_hours = None
    if not can_manage:
        # A member sees their own attendance, never anyone else's.
        own_hours = participation.session_hours_of(period, [request.user.pk]).get(request.user.pk)
    return render(request, "teams/participation/session_detail.html", {
        "collaborative": collaborative, "period": period,
        "agenda": participation.agenda_items(period), "can_manage": can_manage,
        "report": participation.session_attendance_report(period) if can_manage else None,
        "own_hours": own_hours,
    })


@login_required
@require_http_methods(["GET", "POST"])
def attendance_edit(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    period = _session(collaborative, period_pk)
    team_ids = list(Team.objects.filter(collaborative=collaborative).order_by("name", "pk")
                    .values_list("pk", flat=True))
    page = Paginator(team_ids, ATTENDANCE_TEAMS_PER_PAGE).get_page(request.GET.get("page"))
    people = participation.collaborative_people(collaborative, team_ids=page.object_list)
    recorded = participation.session_hours_of(period, [person.user_id for person in people])
    data = posted(request)
    marked_team = None
    if data is not None and data.get("mark_team"):
        marked_team = next((group for group in participation.people_by_team(people)
                            if str(group[0]) == data["mark_team"]), None)
        if marked_team:
            data = marked(data, marked_team[2], period.hours)
    form = SessionAttendanceForm(data, people=people, recorded=recorded, default_hours=period.hours)
    if data is not None and marked_team is None and form.is_valid():
        try:
            saved = participation.session_attendance_save(
                period=period, rows=form.cleaned_data["rows"], recorded_by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, ngettext("Attendance at %(session)s saved: %(changed)s change.",
                                               "Attendance at %(session)s saved: %(changed)s changes.",
                                               saved.changed)
                             % {"session": period.label, "changed": saved.changed})
            return redirect("participation:session", pk=collaborative.pk, period_pk=period.pk)
    rows = form.person_rows()
    by_team: dict[int, list] = {}
    for row in rows:
        by_team.setdefault(row.person.team_id, []).append(row)
    return render(request, "teams/participation/attendance_form.html", {
        "collaborative": collaborative, "period": period, "form": form,
        "teams": [(group[0], group[1], by_team[group[0]]) for group in participation.people_by_team(people)],
        "page": page, "marked_team": marked_team[1] if marked_team else "",
        "problems": form.problem_count() if form.is_bound and marked_team is None else 0,
        "action": f"{request.path}?page={page.number}" if page.paginator.num_pages > 1 else request.path,
    })


@login_required
@require_http_methods(["GET", "POST"])
def attendance_import(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    period = _session(collaborative, period_pk)
    form = AttendanceImportForm(posted(request), request.FILES or None)
    problems: list[participation.Problem] = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = participation.session_attendance_import(
                period=period, data=form.cleaned_data["file"].read(), recorded_by=request.user)
        except participation.ImportRejected as rejected:
            problems = rejected.problems
            form.add_error("file", _("Nothing was saved: fix the problems listed below and upload again."))
        else:
            added = ngettext("%(count)s person added", "%(count)s people added",
                             saved.created) % {"count": saved.created}
            updated = ngettext("%(count)s person updated", "%(count)s people updated",
                               saved.updated) % {"count": saved.updated}
            messages.success(request, _("Sign-in sheet imported: %(added)s, %(updated)s.")
                             % {"added": added, "updated": updated})
            return redirect("participation:session", pk=collaborative.pk, period_pk=period.pk)
    return render(request, "teams/participation/attendance_import.html", {
        "collaborative": collaborative, "period": period, "form": form, "problems": problems,
    })


@login_required
def attendance_template(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    period = _session(collaborative, period_pk)
    return _csv_response(participation.attendance_template_csv(period),
                         f"sign-in-sheet-{collaborative.pk}-{period.label}.csv")


@login_required
def dosage_page(request: HttpRequest, pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    result = dosage.collaborative_dosage(collaborative)
    return render(request, "teams/participation/dosage.html", {
        "collaborative": collaborative, "dosage": result,
        "team_rows": _team_rows(collaborative, result),
        "role_rows": [{"dosage": role, "reasons": dosage.role_reasons(role, result)}
                      for role in result.roles],
        "session_target": dosage.LEARNING_SESSION_TARGET, "affinity_target": dosage.AFFINITY_GROUP_TARGET,
        "behind_percent": round(dosage.BEHIND_SHARE * 100),
        "session_expected": dosage.hours_text(result.session_expected),
        "affinity_expected": dosage.hours_text(result.affinity_expected),
    })


@login_required
def dosage_csv(request: HttpRequest, pk: int) -> HttpResponse:
    collaborative = access.collaborative_for(request.user, pk, manage=True)
    result = dosage.collaborative_dosage(collaborative)
    header = ["level", "name", "people", "session_hours_per_person", "session_hours_expected",
              "affinity_hours_per_person", "affinity_hours_expected", "session_attendance_share",
              "behind", "reasons"]
    rows = [["team", row["name"], row["dosage"].members, round(row["dosage"].session_hours, 1),
             round(result.session_expected, 1), round(row["dosage"].affinity_hours, 1),
             round(result.affinity_expected, 1),
             "" if row["dosage"].session_attendance is None else round(row["dosage"].session_attendance, 3),
             "yes" if row["dosage"].behind else "no", "; ".join(row["dosage"].reasons)]
            for row in _team_rows(collaborative, result)]
    rows += [["role", role.label, role.people, round(role.session_hours, 1),
              round(result.session_expected, 1), round(role.affinity_hours, 1),
              round(result.affinity_expected, 1), "", "yes" if role.behind else "no",
              "; ".join(dosage.role_reasons(role, result))] for role in result.roles]
    return _csv_response(participation.csv_text(header, rows),
                         f"dosage-{collaborative.pk}-{result.as_of:%Y-%m-%d}.csv")


def _team_rows(collaborative: Collaborative, result: dosage.Dosage) -> list[dict]:
    names = Team.objects.filter(collaborative=collaborative).order_by("name", "pk").values_list("pk", "name")
    return [{"name": name, "dosage": result.teams[team_id], "url": reverse("teams:detail", args=[team_id])}
            for team_id, name in names if team_id in result.teams]


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename.replace(" ", "-")}"'
    return response
