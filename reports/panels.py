"""The reports layer's panels on the team page (its "home"), in the order a member needs them
on a phone: what is due this month, what the coaches said, the team's measures, and what
other teams learned on the same change ideas. The page lives in ``teams``, which may not
import this layer; ``reports.apps`` registers these functions with ``teams.panels``.

Each panel reads a fixed number of queries, whatever the number of cycles, measures or
months, and shows nothing to someone who may not read the team's work."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from collaboratives.models import CollaborativeRole
from measures import series, summaries
from measures.formatting import format_value
from measures.models import Measure, MeasureValue
from measures.months import add_months, month_start
from measures.phase_selectors import team_phase_starts
from measures.selectors import entry_months
from pdsa.models import Cycle, CycleComment
from pdsa.selectors import cycles_visible_to
from reports import scale, selectors
from teams import access
from teams.models import Team

# A cycle whose worksheet nobody has touched for this long is waiting on someone.
STALLED_AFTER = datetime.timedelta(weeks=4)
# Enough to act on from a phone; the PDSA page has the rest.
CYCLES_SHOWN = 8
FEEDBACK_COMMENTS = 5
FEEDBACK_REVIEWS = 3
WORTH_A_LOOK = 5
# Months of the measures' data table (the sparkline draws every month).
TABLE_MONTHS = 6


def _readable(request: HttpRequest, team: Team) -> bool:
    # The page's readers are the team and its leaders; this keeps a panel safe if the page
    # ever shows to someone else.
    return access.can_read_team(request.user, team)


def _measures(request: HttpRequest, team: Team) -> list[Measure]:
    """The collaborative's measures, read once per request: the to-do counts them and the
    measures panel charts them."""
    memo = request.__dict__.setdefault("_team_home_measures", {})
    if team.pk not in memo:
        memo[team.pk] = list(Measure.objects.filter(collaborative_id=team.collaborative_id)
                             .order_by("order", "name"))
    return memo[team.pk]


# --- 1. To do this month -------------------------------------------------------------------

def team_todo_panel(request: HttpRequest, team: Team) -> dict | None:
    """The month now due (last month): its data and its report, the team's cycles waiting
    for their next step, and the evaluations the reader has not answered. Members get a
    button on each; leaders read the same list as the team's status."""
    if not _readable(request, team):
        return None
    user = request.user
    can_write = access.can_write_team_work(user, team)
    today = timezone.localdate()
    month = add_months(month_start(today), -1)
    standing = None
    measure_count = len(_measures(request, team))
    if month in entry_months(team.collaborative, today):
        standing = selectors.team_months_of(team, [month], today=today)[0]
    waiting = _cycles_waiting(team)
    evaluations = []
    if can_write:  # the reader's own forms: leaders run evaluations, they do not answer them
        evaluations = list(access.evaluations_to_answer(user)
                           .filter(period__collaborative=team.collaborative)
                           .exclude(submissions__user=user).select_related("period"))
    data_due = standing is not None and measure_count > 0 and standing.measures_missing > 0
    report_due = standing is not None and (standing.report is None or standing.report.team_can_edit)
    return {
        "can_write": can_write, "month": month, "standing": standing,
        "measure_count": measure_count,
        "measures_entered": measure_count - standing.measures_missing if standing else 0,
        "data_due": data_due, "report_due": report_due,
        "cycles": waiting[:CYCLES_SHOWN], "more_cycles": len(waiting) > CYCLES_SHOWN,
        "evaluations": [{"evaluation": evaluation,
                         "url": reverse("evaluations:answer", args=[evaluation.pk])}
                        for evaluation in evaluations],
        "up_to_date": not (data_due or report_due or waiting or evaluations),
    }


def _cycles_waiting(team: Team) -> list[dict]:
    """Cycles not complete, those left longest first; one query (one more row than shown,
    to know whether there are more)."""
    now = timezone.now()
    cycles = (Cycle.objects.filter(team=team).exclude(status=Cycle.Status.COMPLETE)
              .select_related("change_idea").order_by("updated_at", "pk")[:CYCLES_SHOWN + 1])
    rows = []
    for cycle in cycles:
        idle = now - cycle.updated_at
        next_status = cycle.next_status
        rows.append({
            "cycle": cycle,
            "next_label": Cycle.Status(next_status).label if next_status else "",
            "stalled": idle >= STALLED_AFTER,
            "idle_weeks": idle.days // 7,
        })
    return rows


# --- 2. Recent feedback from coaches ---------------------------------------------------------

def team_feedback_panel(request: HttpRequest, team: Team) -> dict | None:
    """The collaborative's leaders' latest comments on the team's cycles and the advisor's
    latest reviews of its monthly reports, newest first. Members' own comments are the
    team's conversation, not feedback."""
    if not _readable(request, team):
        return None
    leaders = CollaborativeRole.objects.filter(collaborative_id=team.collaborative_id).values("user_id")
    comments = (CycleComment.objects.filter(cycle__team=team, author_id__in=Subquery(leaders))
                .select_related("author", "cycle").order_by("-created_at", "-pk")[:FEEDBACK_COMMENTS])
    reviews = (team.monthly_reports.filter(reviewed_at__isnull=False)
               .select_related("reviewed_by").order_by("-reviewed_at", "-month")[:FEEDBACK_REVIEWS])
    items = [{"when": comment.created_at, "author": _name(comment.author), "text": comment.body,
              "url": f"{comment.cycle.get_absolute_url()}#comment-{comment.pk}",
              "about": _("on the cycle “%(title)s”") % {"title": comment.cycle.title}}
             for comment in comments]
    for report in reviews:
        level = scale.level_of(report.advisor_score)
        items.append({
            "when": report.reviewed_at, "author": _name(report.reviewed_by), "text": report.feedback,
            "url": f"{report.get_absolute_url()}#review-heading",
            "about": _("reviewed the %(month)s report") % {"month": _month_words(report.month)},
            "score": level and f"{level.score} — {level.name}",
            "changes_requested": report.status == report.Status.CHANGES_REQUESTED,
        })
    items.sort(key=lambda item: item["when"], reverse=True)
    return {"items": items}


def _name(person) -> str:
    if person is None:
        return _("Someone no longer here")
    return person.get_full_name() or person.get_username()


def _month_words(month: datetime.date) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


# --- 3. Our measures ---------------------------------------------------------------------

def team_measures_panel(request: HttpRequest, team: Team) -> dict | None:
    """Each measure as a sparkline with its variation status and latest value: the team's
    own series, as its run-chart page draws them, in its phases (its own data, so nothing is
    hidden from it). Three queries: the measures, the team's values and its phases."""
    if not _readable(request, team):
        return None
    measures = _measures(request, team)
    values: dict[int, list[MeasureValue]] = defaultdict(list)
    for value in MeasureValue.objects.filter(team=team).order_by("month"):
        values[value.measure_id].append(value)
    phases = team_phase_starts(team)
    months = series.month_axis(value.month for rows in values.values() for value in rows)
    table_months = months[-TABLE_MONTHS:]
    cards = []
    for measure in measures:
        line = series.team_series(measure, values[measure.pk], team.name,
                                  phases=phases.get(measure.pk, ()))
        latest = next((point for point in reversed(line.points) if point.value is not None), None)
        by_month = {point.month: point.value for point in line.points}
        cards.append({
            "measure": measure, "series": line, "summary": summaries.summary(line),
            "latest": latest and format_value(measure, latest.value),
            "latest_month": latest and latest.month,
            "table": [format_value(measure, by_month.get(month)) for month in table_months],
        })
    return {"cards": cards, "table_months": table_months}


# --- 4. Worth a look ----------------------------------------------------------------------

def team_worth_a_look_panel(request: HttpRequest, team: Team) -> dict | None:
    """Other teams' complete, shared cycles on the change ideas this team is testing, newest
    first, as far as the reader may see them (the PDSA sharing rule). One query."""
    if not _readable(request, team):
        return None
    ideas = Cycle.objects.filter(team=team).values("change_idea_id")
    cycles = (cycles_visible_to(request.user)
              .filter(team__collaborative_id=team.collaborative_id, status=Cycle.Status.COMPLETE,
                      is_shared=True, change_idea_id__in=Subquery(ideas))
              .exclude(team=team).select_related("team", "change_idea")
              .order_by("-completed_at", "-pk")[:WORTH_A_LOOK])
    return {"cycles": list(cycles)}
