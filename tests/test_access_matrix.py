"""Who gets what, for every named URL: a role x URL matrix built from the URLconf.

Each cell follows the rules in ``teams/access.py``:

- advisors (and coaches, faculty) of a collaborative read and change it, its timeline and
  its teams; only the improvement advisor changes its leaders;
- a team member reads their collaborative and their own team; another team's page is
  404; changing the team or the collaborative is 403;
- a state viewer reads the collaboratives of their state, never a team's page (404), and
  changes nothing (403);
- anyone else gets 404; an anonymous visitor is sent to sign in (pages) or refused (API:
  401 with ``WWW-Authenticate: Token``, because TokenAuthentication comes first).

A URL name that is in the URLconf but not in ``PAGES`` fails ``test_it_has_a_row_for_every_named_url``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from collaboratives.models import CollaborativeRole, PDOffering, Period
from collaboratives.tokens import api_token_create
from measures.models import Measure, MeasureValue
from measures.pareto import pareto_tally_save
from teams.evaluations import QuestionInput, evaluation_create, evaluation_set_open
from teams.models import AffinityGroup, MemberRole
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.django_db

PERSONAS = (
    "anonymous", "stranger", "member_a", "member_b", "advisor", "other_advisor",
    "state_viewer", "other_state_viewer",
)
LOGIN_PATH = "/accounts/login/"
INVALID_LINK = "This link has expired or was already used."


class _Login:
    """302 to the sign-in page, coming back to the page asked for."""

    def __repr__(self) -> str:
        return "LOGIN"


class _Gone:
    """302 back to the page, and the thing removed (an advisor confirming a removal)."""

    def __repr__(self) -> str:
        return "GONE"


class _Done:
    """302, and the work done: a POST that needs no data (rebuild last month's reports)."""

    def __repr__(self) -> str:
        return "DONE"


LOGIN = _Login()
GONE = _Gone()
DONE = _Done()


@dataclass(frozen=True)
class To:
    """302 to exactly this page."""

    where: Callable[[Targets], str]

    def __repr__(self) -> str:
        return "To(...)"


@dataclass
class Targets:
    """The world, plus the few things a URL needs that the world does not hold."""

    world: World
    period: Period
    coach_role: CollaborativeRole
    measure: Measure
    measure_value: MeasureValue
    pareto_tally: Any = None  # team A's, made before the request (an API list reads it)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


@dataclass(frozen=True)
class Row:
    kwargs: Callable[[Targets], dict[str, Any]]
    outcomes: dict[str, object]
    shows: str | None = None


def row(kwargs: Callable[[Targets], dict[str, Any]], *outcomes: object,
        shows: str | None = None) -> Row:
    assert len(outcomes) == len(PERSONAS)
    return Row(kwargs, dict(zip(PERSONAS, outcomes, strict=True)), shows)


def none(t: Targets) -> dict[str, Any]:
    return {}


def collab(t: Targets) -> dict[str, Any]:
    return {"pk": t.collaborative.pk}


def collab_pk(t: Targets) -> dict[str, Any]:
    return {"collaborative_pk": t.collaborative.pk}


def period(t: Targets) -> dict[str, Any]:
    return {"pk": t.collaborative.pk, "period_pk": t.period.pk}


def coach(t: Targets) -> dict[str, Any]:
    return {"pk": t.collaborative.pk, "role_pk": t.coach_role.pk}


def team_a(t: Targets) -> dict[str, Any]:
    return {"pk": t.team_a.pk}


def token_a(t: Targets) -> dict[str, Any]:
    return {"token_id": api_token_create(user=t.member_a, name="matrix")[0].pk}


def member(t: Targets) -> dict[str, Any]:
    return {"pk": t.team_a.pk, "membership_pk": t.membership_a.pk}


def measure(t: Targets) -> dict[str, Any]:
    return {"pk": t.measure.pk}


def value_a(t: Targets) -> dict[str, Any]:
    return {"pk": t.measure_value.pk}


def team_month(t: Targets) -> dict[str, Any]:
    return {"pk": t.team_a.pk, "month": timezone.localdate().replace(day=1)}


def mship(t: Targets) -> dict[str, Any]:
    return {"pk": t.membership_a.pk}


def bogus(t: Targets) -> dict[str, Any]:
    """A real person's link with a token that was never issued."""
    return {"uidb64": urlsafe_base64_encode(force_bytes(t.stranger.pk)), "token": "bogus-token"}


def pareto_a(t: Targets) -> dict[str, Any]:
    """Team A's Pareto tally (reasons for early pick-ups), entered by member A."""
    tally = pareto_tally_save(team=t.team_a, title="Early pick-ups",
                              start=datetime.date(2026, 1, 1), end=datetime.date(2026, 3, 31),
                              categories=[("Transport", 3), ("Illness", 1)], saved_by=t.member_a)
    return {"pk": tally.pk}


def attachment_a(t: Targets) -> dict[str, Any]:
    """A PDF on team A's cycle, added by member A."""
    item = getattr(t, "_pdsa_attachment", None)
    if item is None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from pdsa.attachments import attachment_add
        from pdsa.models import Cycle
        from tests.planting import pdf_bytes

        item = attachment_add(cycle=Cycle.objects.get(pk=cycle_a(t)["pk"]), uploaded_by=t.member_a,
                              upload=SimpleUploadedFile("sheet.pdf", pdf_bytes()))
        t._pdsa_attachment = item
    return {"pk": item.pk}


def events_a(t: Targets) -> dict[str, Any]:
    """Team A's events of a rare-event measure (expulsions), one recorded by member A."""
    event = getattr(t, "_event", None)
    if event is None:
        from measures.events import event_record

        measure = factories.MeasureFactory(
            collaborative=t.collaborative, name="Expulsions", unit=Measure.Unit.COUNT,
            chart_kind=Measure.ChartKind.G, denominator_definition="", records_events=True)
        event = event_record(measure=measure, team=t.team_a, user=t.member_a,
                             date=t.collaborative.start_date + datetime.timedelta(days=20),
                             today=t.collaborative.start_date + datetime.timedelta(days=60))
        t._event = event
    return {"pk": t.team_a.pk, "measure_pk": event.measure_id}


def event_a(t: Targets) -> dict[str, Any]:
    events_a(t)
    return {"pk": t._event.pk}


def tally_of_a(t: Targets) -> set[int]:
    return {t.pareto_tally.pk}


def phase_team(t: Targets) -> dict[str, Any]:
    return {"team_pk": t.team_a.pk, "pk": t.measure.pk}


def phase_a(t: Targets) -> dict[str, Any]:
    """A phase of team A's chart of the measure, after an adopted change."""
    phase = getattr(t, "_phase", None)
    if phase is None:
        from measures.models import MeasurePhase

        phase = MeasurePhase.objects.create(measure=t.measure, team=t.team_a,
                                            start_month=datetime.date(2026, 2, 1),
                                            reason="Adopted: greeting song")
        t._phase = phase
    return {"pk": phase.pk}


def cycle_a_plan(t: Targets) -> dict[str, Any]:
    """Team A's PDSA cycle at its current stage, Plan."""
    return {**cycle_a(t), "stage": "plan"}


def cycle_a(t: Targets) -> dict[str, Any]:
    """Team A's PDSA cycle: private, in Plan, led by member A (not the team lead)."""
    cycle = getattr(t, "_pdsa_cycle", None)
    if cycle is None:
        from collaboratives.models import ChangeIdea
        from pdsa.services import cycle_create

        idea, _created = ChangeIdea.objects.get_or_create(collaborative=t.collaborative,
                                                          title="Visual schedules")
        cycle = cycle_create(team=t.team_a, created_by=t.member_a, change_idea=idea,
                             title="Picture schedule at arrival")
        t._pdsa_cycle = cycle
    return {"pk": cycle.pk}


def report_a(t: Targets) -> dict[str, Any]:
    """Team A's monthly report for last month, as the job builds it (ready for the team)."""
    from measures.months import add_months, month_start
    from reports.services import monthly_report_build

    month = add_months(month_start(timezone.localdate()), -1)
    return {"pk": monthly_report_build(team=t.team_a, month=month).pk}


def build_nc(t: Targets) -> dict[str, Any]:
    """A build of last month's reports the NC advisor asked for."""
    from measures.months import add_months, month_start
    from reports.models import ReportBuild

    build = ReportBuild.objects.create(collaborative=t.collaborative, total=2,
                                       month=add_months(month_start(timezone.localdate()), -1))
    return {"pk": t.collaborative.pk, "build_pk": build.pk}


def evaluation_nc(t: Targets) -> dict[str, Any]:
    """An open, anonymous evaluation of the NC learning session with one required rating,
    made on first use."""
    evaluation = getattr(t, "_evaluation", None)
    if evaluation is None:
        evaluation = evaluation_create(
            collaborative=t.collaborative, created_by=t.advisor, period=t.period,
            title="Learning Session 1 evaluation",
            questions=[QuestionInput(kind="rating", text="Useful?", required=True)])
        evaluation_set_open(evaluation=evaluation, is_open=True)
        t._evaluation = evaluation
    return {"pk": evaluation.pk}


def family_group(t: Targets) -> dict[str, Any]:
    """The NC collaborative's affinity group of family members (member B's role)."""
    group, _created = AffinityGroup.objects.get_or_create(
        collaborative=t.collaborative, name="Matrix family group", defaults={"role": MemberRole.FAMILY})
    return {"pk": group.pk}


def family_meeting(t: Targets) -> dict[str, Any]:
    group = AffinityGroup.objects.get(pk=family_group(t)["pk"])
    meeting, _created = group.meetings.get_or_create(
        topic="Matrix meeting", defaults={"date": datetime.date(2026, 3, 1), "hours": Decimal("1.5")})
    return {"pk": group.pk, "meeting_pk": meeting.pk}


def pd_nc(t: Targets) -> dict[str, Any]:
    """A professional-development offering of North Carolina (the state viewer's state)."""
    offering = PDOffering.objects.create(state="NC", name="Matrix workshop", engages=1, purpose=1)
    return {"pk": offering.pk}


def framework_kind(t: Targets) -> dict[str, Any]:
    return {"pk": t.collaborative.pk, "kind": "change-idea"}


def framework_idea(t: Targets) -> dict[str, Any]:
    """A change idea of the NC driver diagram (aim -> primary -> secondary -> idea), made
    on first use."""
    primary, _created = t.collaborative.primary_drivers.get_or_create(title="Matrix primary")
    secondary, created = t.collaborative.secondary_drivers.get_or_create(title="Matrix secondary")
    if created:
        secondary.primary_drivers.add(primary)
    idea, created = t.collaborative.change_ideas.get_or_create(title="Matrix change idea")
    if created:
        idea.secondary_drivers.add(secondary)
    return {"pk": t.collaborative.pk, "kind": "change-idea", "item_pk": idea.pk}


def change_idea(t: Targets) -> dict[str, Any]:
    return {"pk": framework_idea(t)["item_pk"]}


TEAM_A = To(lambda t: t.team_a.get_absolute_url())
TEAM_B = To(lambda t: t.team_b.get_absolute_url())
NC_BOARD = To(lambda t: reverse("reports:dashboard", args=[t.collaborative.pk]))
VA_BOARD = To(lambda t: reverse("reports:dashboard", args=[t.other_collaborative.pk]))
STATE = To(lambda t: reverse("reports:state"))

# GET, per persona. The collaborative is the NC one (the advisor's, teams A and B's, the
# state viewer's); the team is team A. Columns, in order: anonymous, stranger, member_a,
# member_b, advisor, other_advisor, state_viewer, other_state_viewer.
PAGES: dict[str, Row] = {
    # Home: one destination is a redirect there; none is a page saying how to get access.
    # Leaders land on their cohort dashboard, state viewers on the state dashboard.
    "home":                         row(none,   LOGIN, 200, TEAM_A, TEAM_B, NC_BOARD, VA_BOARD, STATE,
                                        STATE),
    # Accounts: open to all; a bad link says so; signing out is a POST.
    "login":                        row(none,   200,   200, 200, 200, 200, 200, 200, 200),
    "logout":                       row(none,   405,   405, 405, 405, 405, 405, 405, 405),
    "password_change":              row(none,   LOGIN, 200, 200, 200, 200, 200, 200, 200),
    "password_change_done":         row(none,   LOGIN, 200, 200, 200, 200, 200, 200, 200),
    "password_reset":               row(none,   200,   200, 200, 200, 200, 200, 200, 200),
    "password_reset_done":          row(none,   200,   200, 200, 200, 200, 200, 200, 200),
    "password_reset_confirm":       row(bogus,  200,   200, 200, 200, 200, 200, 200, 200,
                                        shows=INVALID_LINK),
    "password_reset_complete":      row(none,   200,   200, 200, 200, 200, 200, 200, 200),
    "invitation-accept":            row(bogus,  200,   200, 200, 200, 200, 200, 200, 200,
                                        shows=INVALID_LINK),
    # Everyone signed in has their own profile (name, email, which emails they get).
    "profile":                      row(none,   LOGIN, 200, 200, 200, 200, 200, 200, 200),
    # API tokens: made and revoked by POST on the profile; only the owner revokes theirs.
    "profile-token-create":         row(none,   LOGIN, 405, 405, 405, 405, 405, 405, 405),
    "profile-token-revoke":         row(token_a, LOGIN, 405, 405, 405, 405, 405, 405, 405),
    # Two-factor sign-in: everyone may set it up; the other steps are POSTs, or send back
    # to the page when there is nothing to do.
    "two-factor":                   row(none,   LOGIN, 200, 200, 200, 200, 200, 200, 200),
    "two-factor-start":             row(none,   LOGIN, 405, 405, 405, 405, 405, 405, 405),
    "two-factor-verify":            row(none,   LOGIN, *[To(lambda t: "/")] * 7),
    "two-factor-recovery-codes":    row(none,   LOGIN, *[To(lambda t: "/accounts/two-factor/")] * 7),
    "two-factor-disable":           row(none,   LOGIN, *[To(lambda t: "/accounts/two-factor/")] * 7),
    # A person's own invitations to teams: theirs alone; answering is a POST.
    "invitations:list":             row(none,   LOGIN, 200, 200, 200, 200, 200, 200, 200),
    "invitations:respond":          row(lambda t: {"pk": t.membership_a.pk},
                                        LOGIN, 405, 405, 405, 405, 405, 405, 405),
    # Activity history: the collaborative's for its leaders, a team's for it and its leaders.
    "activity:collaborative":       row(collab, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "activity:team":                row(team_a, LOGIN, 404, 200, 404, 200, 404, 404, 404),
    # Starting from a change package: the improvement advisor of the collaborative only.
    "setup:start-from":             row(collab, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    # Collaboratives: members and state viewers read; advisors change; others know nothing.
    "collaboratives:list":          row(none,   LOGIN, 200, 200, 200, 200, 200, 200, 200),
    "collaboratives:create":        row(none,   LOGIN, 403, 403, 403, 200, 200, 403, 403),
    "collaboratives:detail":        row(collab, LOGIN, 404, 200, 200, 200, 404, 200, 404),
    "collaboratives:update":        row(collab, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "collaboratives:period-create": row(collab, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "collaboratives:period-update": row(period, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "collaboratives:period-delete": row(period, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "collaboratives:staff-add":     row(collab, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "collaboratives:staff-remove":  row(coach,  LOGIN, 404, 403, 403, 200, 404, 403, 404),
    # Teams: a team's page is for its members and its advisors; state viewers never see it.
    "teams:list":                   row(none,   LOGIN, 200, 200, 200, 200, 200, 200, 200),
    "teams:create":                 row(collab_pk, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "teams:detail":                 row(team_a, LOGIN, 404, 200, 404, 200, 404, 404, 404),
    "teams:update":                 row(team_a, LOGIN, 404, 403, 404, 200, 404, 404, 404),
    "teams:member-add":             row(team_a, LOGIN, 404, 403, 404, 200, 404, 404, 404),
    "teams:member-update":          row(member, LOGIN, 404, 403, 404, 200, 404, 404, 404),
    "teams:member-remove":          row(member, LOGIN, 404, 403, 404, 200, 404, 404, 404),
    # Measures: definitions are read by everyone who reads the collaborative; advisors set
    # them up. A team's data is its own: members enter it, advisors read it (403 on entry).
    "measures:list":                row(collab_pk, LOGIN, 404, 200, 200, 200, 404, 200, 404),
    "measures:create":              row(collab_pk, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "measures:update":              row(measure, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "measures:detail":              row(measure, LOGIN, 404, 200, 200, 200, 404, 200, 404),
    "measures:figures-export":      row(measure, LOGIN, 404, 200, 200, 200, 404, 200, 404),
    "reports:team-charts":         row(team_a, LOGIN, 404, 200, 404, 200, 404, 404, 404),
    # Monthly reports: team work (members write and submit, leaders read and review); the
    # month's list of every team is the leaders'; building is POST only.
    "reports:team-reports":         row(team_a, LOGIN, 404, 200, 404, 200, 404, 404, 404),
    "reports:report-detail":        row(report_a, LOGIN, 404, 200, 404, 200, 404, 404, 404),
    "reports:report-pdf":           row(report_a, LOGIN, 404, 200, 404, 200, 404, 404, 404),
    # The dashboards: the cohort's for its leaders; the state's for state viewers (of any
    # state: each sees their own state's collaboratives).
    "reports:dashboard":            row(collab, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "reports:state":                row(none,   LOGIN, 403, 403, 403, 403, 403, 200, 200),
    # Learning sessions are read by everyone who reads the collaborative (who attended:
    # leaders only); attendance and dosage are the leaders'. Affinity groups are for the
    # leaders and the team members of the group's role (member B is a family member); state
    # viewers get 403 on the list: groups are people, not aggregates.
    "participation:sessions":       row(collab, LOGIN, 404, 200, 200, 200, 404, 200, 404),
    "participation:session":        row(period, LOGIN, 404, 200, 200, 200, 404, 200, 404),
    "participation:attendance":     row(period, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "participation:attendance-import": row(period, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "participation:attendance-template": row(period, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "participation:dosage":         row(collab, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "participation:dosage-csv":     row(collab, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "participation:affinity-groups": row(collab, LOGIN, 404, 200, 200, 200, 404, 403, 404),
    "participation:affinity-group-create": row(collab, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "participation:affinity-group": row(family_group, LOGIN, 404, 404, 200, 200, 404, 404, 404),
    "participation:affinity-group-update": row(family_group, LOGIN, 404, 404, 403, 200, 404, 404, 404),
    "participation:affinity-meeting-create": row(family_group, LOGIN, 404, 404, 403, 200, 404, 404,
                                                 404),
    "participation:affinity-meeting-update": row(family_meeting, LOGIN, 404, 404, 403, 200, 404, 404,
                                                 404),
    # Learning-session evaluations: the leaders set them up and read the results; the
    # collaborative's team members answer (a leader sees a preview and may not send).
    "evaluations:list":             row(collab, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "evaluations:create":           row(collab, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "evaluations:update":           row(evaluation_nc, LOGIN, 404, 403, 403, 200, 404, 404, 404),
    "evaluations:toggle":           row(evaluation_nc, LOGIN, 405, 405, 405, 405, 405, 405, 405),
    "evaluations:answer":           row(evaluation_nc, LOGIN, 404, 200, 200, 200, 404, 404, 404),
    "evaluations:results":          row(evaluation_nc, LOGIN, 404, 403, 403, 200, 404, 404, 404),
    "evaluations:results-csv":      row(evaluation_nc, LOGIN, 404, 403, 403, 200, 404, 404, 404),
    # The system assessment (PD matrix): state staff keep their state's offerings.
    "system:assessment":            row(none,   LOGIN, 403, 403, 403, 403, 403, 200, 200),
    "system:export":                row(none,   LOGIN, 403, 403, 403, 403, 403, 200, 200),
    "system:offering-create":       row(none,   LOGIN, 403, 403, 403, 403, 403, 200, 200),
    "system:offering-update":       row(pd_nc,  LOGIN, 403, 403, 403, 403, 403, 200, 404),
    "system:offering-delete":       row(pd_nc,  LOGIN, 403, 403, 403, 403, 403, 200, 404),
    "reports:collaborative-reports": row(collab, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "reports:collaborative-reports-build": row(collab, LOGIN, 405, 405, 405, 405, 405, 405, 405),
    "reports:report-build-status":  row(build_nc, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    # The collaborative's monthly summary is aggregates only: everyone who reads it.
    "reports:collaborative-summary": row(collab, LOGIN, 404, 200, 200, 200, 404, 200, 404),
    "reports:collaborative-summary-csv": row(collab, LOGIN, 404, 200, 200, 200, 404, 200, 404),
    "reports:collaborative-summary-pdf": row(collab, LOGIN, 404, 200, 200, 200, 404, 200, 404),
    "measures:team-data":           row(team_a, LOGIN, 404, 200, 404, 200, 404, 404, 404),
    "measures:team-data-month":     row(team_month, LOGIN, 404, 200, 404, 403, 404, 404, 404),
    "measures:team-data-import":    row(team_a, LOGIN, 404, 200, 404, 403, 404, 404, 404),
    "measures:team-data-template":  row(team_a, LOGIN, 404, 200, 404, 403, 404, 404, 404),
    "measures:team-data-export":    row(team_a, LOGIN, 404, 200, 404, 200, 404, 404, 404),
    # API: everything needs an account (401, not a redirect), the schema too (it maps every
    # endpoint; public only with debug or API_SCHEMA_PUBLIC), and then follows the same
    # rules as the pages.
    "api-schema":                   row(none,   401,   200, 200, 200, 200, 200, 200, 200),
    "api:api-root":                 row(none,   401,   200, 200, 200, 200, 200, 200, 200),
    "api:collaborative-list":       row(none,   401,   200, 200, 200, 200, 200, 200, 200),
    "api:collaborative-detail":     row(collab, 401,   404, 200, 200, 200, 404, 200, 404),
    "api:team-list":                row(none,   401,   200, 200, 200, 200, 200, 200, 200),
    "api:team-detail":              row(team_a, 401,   404, 200, 404, 200, 404, 404, 404),
    "api:membership-list":          row(none,   401,   200, 200, 200, 200, 200, 200, 200),
    "api:membership-detail":        row(mship,  401,   404, 200, 404, 200, 404, 404, 404),
    # Measures and the aggregate chart: everyone who reads the collaborative. A team's raw
    # values: its members and its advisors, nobody else (state viewers read aggregates).
    # Bulk entry is POST only.
    "api:measure-list":             row(none,   401,   200, 200, 200, 200, 200, 200, 200),
    "api:measure-detail":           row(measure, 401,  404, 200, 200, 200, 404, 200, 404),
    "api:measure-chart-data":       row(measure, 401,  404, 200, 200, 200, 404, 200, 404),
    "api:measure-value-list":       row(none,   401,   200, 200, 200, 200, 200, 200, 200),
    "api:measure-value-detail":     row(value_a, 401,  404, 200, 404, 200, 404, 404, 404),
    "api:measure-value-bulk":       row(none,   401,   405, 405, 405, 405, 405, 405, 405),
    # The change framework (driver diagram): read by everyone who reads the collaborative,
    # changed by its leaders. Moving an item up or down is POST only.
    "collaboratives:framework":     row(collab, LOGIN, 404, 200, 200, 200, 404, 200, 404),
    "collaboratives:framework-item-create": row(framework_kind, LOGIN, 404, 403, 403, 200, 404,
                                                403, 404),
    "collaboratives:framework-item-update": row(framework_idea, LOGIN, 404, 403, 403, 200, 404,
                                                403, 404),
    "collaboratives:framework-item-delete": row(framework_idea, LOGIN, 404, 403, 403, 200, 404,
                                                403, 404),
    "collaboratives:framework-item-move": row(framework_idea, LOGIN, 405, 405, 405, 405, 405,
                                              405, 405),
    "api:change-idea-list":         row(none,   401,   200, 200, 200, 200, 200, 200, 200),
    "api:change-idea-detail":       row(change_idea, 401, 404, 200, 200, 200, 404, 200, 404),
    # PDSA cycles: a team's own (members write, advisors and coaches read and comment, 403 on
    # writes); other teams read them only once shared and complete (this one is private);
    # deleting is for the team lead or the advisor (member A is not the lead). The spread is
    # counts for everyone who reads the collaborative. Status, share, comment: POST only.
    "pdsa:cycle-list":              row(team_a, LOGIN, 404, 200, 404, 200, 404, 404, 404),
    "pdsa:cycle-create":            row(team_a, LOGIN, 404, 200, 404, 403, 404, 404, 404),
    "pdsa:cycle-detail":            row(cycle_a, LOGIN, 404, 200, 404, 200, 404, 404, 404),
    "pdsa:cycle-update":            row(cycle_a, LOGIN, 404, 200, 404, 403, 404, 404, 404),
    "pdsa:cycle-stage":             row(cycle_a_plan, LOGIN, 404, 200, 404, 403, 404, 404, 404),
    # Pareto tallies: a team's own work, as its monthly data: members write, leaders read.
    "pareto:list":                  row(team_a,   LOGIN, 404, 200, 404, 200, 404, 404, 404),
    "pareto:create":                row(team_a,   LOGIN, 404, 200, 404, 403, 404, 404, 404),
    "pareto:detail":                row(pareto_a, LOGIN, 404, 200, 404, 200, 404, 404, 404),
    "pareto:update":                row(pareto_a, LOGIN, 404, 200, 404, 403, 404, 404, 404),
    "pareto:delete":                row(pareto_a, LOGIN, 404, 200, 404, 403, 404, 404, 404),
    # Photos and files on a cycle: the team and its leaders; never other teams or the state.
    "pdsa:attachment-create":       row(cycle_a,      LOGIN, 404, 200, 404, 403, 404, 404, 404),
    "pdsa:attachment":              row(attachment_a, LOGIN, 404, 200, 404, 200, 404, 404, 404),
    "pdsa:attachment-delete":       row(attachment_a, LOGIN, 404, 200, 404, 200, 404, 404, 404),
    # Rare events with their dates: the team records, its leaders read; dates never leave.
    "api:pareto-tally-list":        row(none,     401, 200, 200, 200, 200, 200, 200, 200),
    "api:pareto-tally-detail":      row(pareto_a, 401, 404, 200, 404, 200, 404, 404, 404),
    "events:list":                  row(events_a, LOGIN, 404, 200, 404, 200, 404, 404, 404),
    "events:delete":                row(event_a,  LOGIN, 404, 200, 404, 403, 404, 404, 404),
    # Phases after a change: the team's own chart, or the pooled chart by its leaders.
    "phases:pooled":                row(measure,    LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "phases:team":                  row(phase_team, LOGIN, 404, 200, 404, 200, 404, 404, 404),
    "phases:delete":                row(phase_a,    LOGIN, 404, 200, 404, 200, 404, 404, 404),
    # The language switch is a POST (Django's set_language).
    "set_language":                 row(none,   405,   405, 405, 405, 405, 405, 405, 405),
    "pdsa:cycle-status":            row(cycle_a, LOGIN, 405, 405, 405, 405, 405, 405, 405),
    "pdsa:cycle-share":             row(cycle_a, LOGIN, 405, 405, 405, 405, 405, 405, 405),
    "pdsa:cycle-delete":            row(cycle_a, LOGIN, 404, 403, 404, 200, 404, 404, 404),
    "pdsa:comment-create":          row(cycle_a, LOGIN, 405, 405, 405, 405, 405, 405, 405),
    "pdsa:spread":                  row(collab, LOGIN, 404, 200, 200, 200, 404, 200, 404),
    # Every team's cycles and who leads them: the collaborative's leaders only.
    "pdsa:collaborative-cycles":     row(collab, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "pdsa:collaborative-cycles-csv": row(collab, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "pdsa:leadership":               row(collab, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "pdsa:leadership-csv":           row(collab, LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "api:pdsa-cycle-list":          row(none,   401,   200, 200, 200, 200, 200, 200, 200),
    "api:pdsa-cycle-detail":        row(cycle_a, 401,  404, 200, 404, 200, 404, 404, 404),
    # Monthly reports in the API: the pages' rules. Submitting and reviewing are POST only.
    "api:report-list":              row(none,   401,   200, 200, 200, 200, 200, 200, 200),
    "api:report-detail":            row(report_a, 401, 404, 200, 404, 200, 404, 404, 404),
    "api:report-submit":            row(report_a, 401, 405, 405, 405, 405, 405, 405, 405),
    "api:report-review":            row(report_a, 401, 405, 405, 405, 405, 405, 405, 405),
}

# POST with no data, per persona, same columns. Whoever may not write is refused before
# the form is read, and nothing changes; the advisor gets the form back with errors,
# except on a removal, which needs no data and goes through (GONE).
WRITES: dict[str, tuple[object, ...]] = {
    # An empty profile has no name or email: the form comes back with its errors.
    "profile":                      (LOGIN, 200, 200, 200, 200,  200, 200, 200),
    # An empty form comes back with its errors; only the owner revokes a token.
    "profile-token-create":         (LOGIN, 200, 200, 200, 200,  200, 200, 200),
    "profile-token-revoke":         (LOGIN, 404, GONE, 404, 404, 404, 404, 404),
    "two-factor":                   (LOGIN, 200, 200, 200, 200,  200, 200, 200),
    "two-factor-start":             (LOGIN, 302, 302, 302, 302,  302, 302, 302),
    "two-factor-verify":            (LOGIN, 302, 302, 302, 302,  302, 302, 302),
    "two-factor-recovery-codes":    (LOGIN, 302, 302, 302, 302,  302, 302, 302),
    "two-factor-disable":           (LOGIN, 302, 302, 302, 302,  302, 302, 302),
    "setup:start-from":             (LOGIN, 404, 403, 403, 200,  404, 403, 404),
    # membership_a is accepted, so it is nobody's invitation.
    "invitations:respond":          (LOGIN, 404, 404, 404, 404,  404, 404, 404),
    "collaboratives:create":        (LOGIN, 403, 403, 403, 200,  200, 403, 403),
    "collaboratives:update":        (LOGIN, 404, 403, 403, 200,  404, 403, 404),
    "collaboratives:period-create": (LOGIN, 404, 403, 403, 200,  404, 403, 404),
    "collaboratives:period-update": (LOGIN, 404, 403, 403, 200,  404, 403, 404),
    "collaboratives:period-delete": (LOGIN, 404, 403, 403, GONE, 404, 403, 404),
    "collaboratives:staff-add":     (LOGIN, 404, 403, 403, 200,  404, 403, 404),
    "collaboratives:staff-remove":  (LOGIN, 404, 403, 403, GONE, 404, 403, 404),
    "teams:create":                 (LOGIN, 404, 403, 403, 200,  404, 403, 404),
    "teams:update":                 (LOGIN, 404, 403, 404, 200,  404, 404, 404),
    "teams:member-add":             (LOGIN, 404, 403, 404, 200,  404, 404, 404),
    "teams:member-update":          (LOGIN, 404, 403, 404, 200,  404, 404, 404),
    "teams:member-remove":          (LOGIN, 404, 403, 404, GONE, 404, 404, 404),
    "measures:create":              (LOGIN, 404, 403, 403, 200,  404, 403, 404),
    "measures:update":              (LOGIN, 404, 403, 403, 200,  404, 403, 404),
    # An empty month is a valid "no values this month": saved as nothing, back to the list.
    "measures:team-data-month":     (LOGIN, 404, 302, 404, 403,  404, 404, 404),
    "measures:team-data-import":    (LOGIN, 404, 200, 404, 403,  404, 404, 404),
    # An empty narrative is a valid save (back to the report); the advisor has nothing to
    # review until the team submits; building a month queues it and goes back to the list.
    "reports:report-detail":        (LOGIN, 404, 302, 404, 403,  404, 404, 404),
    "reports:collaborative-reports-build": (LOGIN, 404, 403, 403, DONE, 404, 403, 404),
    # Attendance and affinity groups: an empty POST is the form back with its errors.
    "participation:attendance":     (LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "participation:attendance-import": (LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "participation:affinity-group-create": (LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "participation:affinity-group-update": (LOGIN, 404, 404, 403, 200, 404, 404, 404),
    "participation:affinity-meeting-create": (LOGIN, 404, 404, 403, 200, 404, 404, 404),
    "participation:affinity-meeting-update": (LOGIN, 404, 404, 403, 200, 404, 404, 404),
    # An empty open/close changes nothing (back with a message); an empty answer is the
    # form with its errors for members, refused for leaders.
    "evaluations:create":           (LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "evaluations:update":           (LOGIN, 404, 403, 403, 200, 404, 404, 404),
    "evaluations:toggle":           (LOGIN, 404, 403, 403, 302, 404, 404, 404),
    "evaluations:answer":           (LOGIN, 404, 200, 200, 403, 404, 404, 404),
    "system:offering-create":       (LOGIN, 403, 403, 403, 403, 403, 200, 200),
    "system:offering-update":       (LOGIN, 403, 403, 403, 403, 403, 200, 404),
    "system:offering-delete":       (LOGIN, 403, 403, 403, 403, 403, GONE, 404),
    # API: measures are written by those who lead a collaborative, values by members of a
    # team; everyone else is refused before the input is read (the detail URLs take no
    # POST: 405 once the caller may write at all).
    "api:measure-list":             (401,   403, 403, 403, 400,  400, 403, 403),
    "api:measure-detail":           (401,   403, 403, 403, 405,  405, 403, 403),
    "api:measure-value-list":       (401,   403, 400, 400, 403,  403, 403, 403),
    "api:measure-value-detail":     (401,   403, 405, 405, 403,  403, 403, 403),
    "api:measure-value-bulk":       (401,   403, 400, 400, 403,  403, 403, 403),
    # The change framework: an empty move goes back to the framework with a message,
    # unchanged; a change idea nothing tests is removed without a form.
    "collaboratives:framework-item-create": (LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "collaboratives:framework-item-update": (LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "collaboratives:framework-item-delete": (LOGIN, 404, 403, 403, GONE, 404, 403, 404),
    "collaboratives:framework-item-move": (LOGIN, 404, 403, 403, 302, 404, 403, 404),
    "api:change-idea-list":         (401,   403, 403, 403, 400,  400, 403, 403),
    "api:change-idea-detail":       (401,   403, 403, 403, 405,  405, 403, 403),
    # PDSA: an empty status or share POST goes back to the cycle with a message, unchanged;
    # an empty comment shows the cycle again with the error. The API refuses cycle writes
    # to everyone not on a team before reading the input.
    "pdsa:cycle-create":            (LOGIN, 404, 200, 404, 403,  404, 404, 404),
    "pdsa:cycle-update":            (LOGIN, 404, 200, 404, 403,  404, 404, 404),
    "pdsa:cycle-stage":             (LOGIN, 404, 200, 404, 403,  404, 404, 404),
    "pareto:create":                (LOGIN, 404, 200, 404, 403,  404, 404, 404),
    "pareto:update":                (LOGIN, 404, 200, 404, 403,  404, 404, 404),
    "pareto:delete":                (LOGIN, 404, GONE, 404, 403, 404, 404, 404),
    "pdsa:attachment-create":       (LOGIN, 404, 200, 404, 403,  404, 404, 404),
    "pdsa:attachment-delete":       (LOGIN, 404, GONE, 404, GONE, 404, 404, 404),
    "api:pareto-tally-list":        (401, 405, 405, 405, 405, 405, 405, 405),
    "api:pareto-tally-detail":      (401, 405, 405, 405, 405, 405, 405, 405),
    "events:list":                  (LOGIN, 404, 200, 404, 403,  404, 404, 404),
    "events:delete":                (LOGIN, 404, GONE, 404, 403, 404, 404, 404),
    "phases:pooled":                (LOGIN, 404, 403, 403, 200, 404, 403, 404),
    "phases:team":                  (LOGIN, 404, 200, 404, 200, 404, 404, 404),
    "phases:delete":                (LOGIN, 404, GONE, 404, GONE, 404, 404, 404),
    "pdsa:cycle-status":            (LOGIN, 404, 302, 404, 403,  404, 404, 404),
    "pdsa:cycle-share":             (LOGIN, 404, 302, 404, 403,  404, 404, 404),
    "pdsa:cycle-delete":            (LOGIN, 404, 403, 404, GONE, 404, 404, 404),
    "pdsa:comment-create":          (LOGIN, 404, 200, 404, 200,  404, 404, 404),
    "api:pdsa-cycle-list":          (401,   403, 400, 400, 403,  403, 403, 403),
    "api:pdsa-cycle-detail":        (401,   403, 405, 405, 403,  403, 403, 403),
    # The job builds reports (no POST to the list or a report). Whoever may not know the
    # report exists gets 404; the team submits (an empty report has no self-score: 400),
    # the leaders review (not submitted yet: 400); each 403 on the other's step.
    "api:report-list":              (401,   405, 405, 405, 405,  405, 405, 405),
    "api:report-detail":            (401,   405, 405, 405, 405,  405, 405, 405),
    "api:report-submit":            (401,   404, 400, 404, 403,  404, 404, 404),
    "api:report-review":            (401,   404, 403, 404, 400,  404, 404, 404),
}

# What a removal removes, to check it is gone.
REMOVED: dict[str, Callable[[Targets], Any]] = {
    "collaboratives:period-delete": lambda t: t.period,
    "collaboratives:staff-remove": lambda t: t.coach_role,
    "teams:member-remove": lambda t: t.membership_a,
    "collaboratives:framework-item-delete":
        lambda t: t.collaborative.change_ideas.get(title="Matrix change idea"),
    "pdsa:cycle-delete": lambda t: t._pdsa_cycle,
    "pdsa:attachment-delete": lambda t: t._pdsa_attachment,
    "phases:delete": lambda t: t._phase,
}


def url_names() -> set[str]:
    """Every named URL, namespace-qualified; format-suffix twins share a name."""

    def walk(patterns: list, namespace: str | None) -> set[str]:
        names = set()
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                names |= walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
        return names

    return {name for name in walk(get_resolver().url_patterns, None)
            if not name.startswith("admin:")}


def cells(table: dict[str, tuple[object, ...]] | dict[str, Row]) -> list:
    params = []
    for name, entry in table.items():
        outcomes = entry.outcomes if isinstance(entry, Row) else dict(zip(PERSONAS, entry,
                                                                          strict=True))
        params += [pytest.param(name, persona, outcome, id=f"{name}-{persona}")
                   for persona, outcome in outcomes.items()]
    return params


@pytest.fixture
def targets(world: World) -> Targets:
    measure = factories.MeasureFactory(collaborative=world.collaborative)
    return Targets(
        world=world,
        period=factories.PeriodFactory(collaborative=world.collaborative),
        coach_role=CollaborativeRole.objects.get(user=world.coach, collaborative=world.collaborative),
        measure=measure,
        measure_value=factories.MeasureValueFactory(team=world.team_a, measure=measure),
        pareto_tally=pareto_tally_save(team=world.team_a, title="Reasons for early pick-ups",
                                       start=datetime.date(2026, 1, 1),
                                       end=datetime.date(2026, 2, 28),
                                       categories=[("Illness", 2)], saved_by=world.member_a),
    )


def sign_in(client, targets: Targets, persona: str) -> None:
    if persona != "anonymous":
        client.force_login(getattr(targets, persona))


def snapshot() -> dict[str, list[dict]]:
    """Every row of the domain tables (history included), and how many accounts exist."""
    tables = {
        model._meta.label: list(model.objects.order_by("pk").values())
        for app in ("collaboratives", "teams", "measures")
        for model in apps.get_app_config(app).get_models()
    }
    tables["accounts"] = [{"count": get_user_model().objects.count()}]
    return tables


def assert_sent_to_sign_in(response, url: str) -> None:
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == LOGIN_PATH
    assert parse_qs(location.query) == {"next": [url]}


# --- The table covers the URLconf --------------------------------------------------------

def test_it_has_a_row_for_every_named_url():
    missing = sorted(url_names() - PAGES.keys())
    assert not missing, f"URL names with no row in the access matrix: {', '.join(missing)}"


def test_it_has_no_row_for_a_url_that_is_gone():
    stale = sorted(PAGES.keys() - url_names())
    assert not stale, f"Rows in the access matrix for URL names that no longer exist: {stale}"


def test_it_has_a_get_row_for_every_write():
    assert WRITES.keys() <= PAGES.keys()


# --- GET ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("url_name", "persona", "expected"), cells(PAGES))
def test_it_answers_a_get(client, targets, url_name, persona, expected):
    url = reverse(url_name, kwargs=PAGES[url_name].kwargs(targets))
    sign_in(client, targets, persona)
    response = client.get(url)
    if expected is LOGIN:
        assert_sent_to_sign_in(response, url)
    elif isinstance(expected, To):
        assert response.status_code == 302
        assert response["Location"] == expected.where(targets)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("url_name", [name for name, entry in PAGES.items() if entry.shows])
def test_it_says_a_bad_link_is_bad(client, targets, url_name):
    url = reverse(url_name, kwargs=PAGES[url_name].kwargs(targets))
    assert PAGES[url_name].shows in client.get(url).text


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_keeps_the_admin_to_staff(client, targets, persona):
    sign_in(client, targets, persona)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("admin:login")


def test_it_opens_the_admin_to_a_superuser(client, db):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "x"))
    assert client.get(reverse("admin:index")).status_code == 200


# --- What the API lists ------------------------------------------------------------------

def nc(t: Targets) -> set[int]:
    return {t.collaborative.pk}


def va(t: Targets) -> set[int]:
    return {t.other_collaborative.pk}


def memberships_of(*teams: str) -> Callable[[Targets], set[int]]:
    return lambda t: {m.pk for name in teams for m in getattr(t, name).memberships.all()}


def nothing(t: Targets) -> set[int]:
    return set()


def nc_measure(t: Targets) -> set[int]:
    return {t.measure.pk}


def value_of_a(t: Targets) -> set[int]:
    return {t.measure_value.pk}


# Columns: every persona but anonymous, in order.
LISTED: dict[str, tuple[Callable[[Targets], set[int]], ...]] = {
    "api:collaborative-list": (nothing, nc, nc, nc, va, nc, va),
    "api:team-list": (nothing,
                      lambda t: {t.team_a.pk}, lambda t: {t.team_b.pk},
                      lambda t: {t.team_a.pk, t.team_b.pk}, lambda t: {t.other_team.pk},
                      nothing, nothing),
    "api:membership-list": (nothing, memberships_of("team_a"), memberships_of("team_b"),
                            memberships_of("team_a", "team_b"), memberships_of("other_team"),
                            nothing, nothing),
    "api:measure-list": (nothing, nc_measure, nc_measure, nc_measure, nothing, nc_measure,
                         nothing),
    # Raw values are team-private: state viewers list none.
    "api:measure-value-list": (nothing, value_of_a, nothing, value_of_a, nothing, nothing,
                               nothing),
    # Pareto tallies are team-private like values: the team and its leaders.
    "api:pareto-tally-list": (nothing, tally_of_a, nothing, tally_of_a, nothing, nothing, nothing),
}


@pytest.mark.parametrize(("url_name", "persona", "expected"), [
    pytest.param(name, persona, expected, id=f"{name}-{persona}")
    for name, row_ in LISTED.items()
    for persona, expected in zip(PERSONAS[1:], row_, strict=True)
])
def test_it_lists_only_what_the_persona_may_read(client, targets, url_name, persona, expected):
    sign_in(client, targets, persona)
    results = client.get(reverse(url_name)).json()["results"]
    assert {item["id"] for item in results} == expected(targets)


# --- POST with no data ---------------------------------------------------------------------

@pytest.mark.parametrize(("url_name", "persona", "expected"), cells(WRITES))
def test_it_answers_an_empty_post(client, targets, url_name, persona, expected):
    url = reverse(url_name, kwargs=PAGES[url_name].kwargs(targets))
    sign_in(client, targets, persona)
    response = client.post(url, {})
    if expected is LOGIN:
        assert_sent_to_sign_in(response, url)
    elif expected is GONE or expected is DONE:
        assert response.status_code == 302
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("url_name", "persona", "expected"),
                         [cell for cell in cells(WRITES) if cell.values[2] not in (GONE, DONE)])
def test_it_changes_nothing_on_a_refused_or_empty_post(client, targets, url_name, persona,
                                                       expected):
    url = reverse(url_name, kwargs=PAGES[url_name].kwargs(targets))
    sign_in(client, targets, persona)
    before = snapshot()
    client.post(url, {})
    assert snapshot() == before


@pytest.mark.parametrize("url_name", list(REMOVED))
def test_it_lets_the_advisor_remove_without_a_form(client, targets, url_name):
    url = reverse(url_name, kwargs=PAGES[url_name].kwargs(targets))
    removed = REMOVED[url_name](targets)
    client.force_login(targets.advisor)
    client.post(url, {})
    assert not type(removed).objects.filter(pk=removed.pk).exists()
