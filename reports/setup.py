"""The set-up checklist a collaborative's leaders see on its page: timeline, framework,
measures, teams and members, each done or with a link to fix it.

It reads measures, so it lives above ``teams`` (where the collaborative page is); the page's
template loads it with the ``collaborative_setup`` tag. Two queries, whatever the number of
teams, periods or measures.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from collaboratives.models import ChangeIdea, Collaborative, Period
from measures.models import Measure
from teams import access
from teams.models import Membership, Team
from teams.selectors import not_cross_role_q


@dataclass(frozen=True)
class SetupStep:
    key: str
    label: str
    done: bool
    detail: str
    fix_url: str = ""
    fix_label: str = ""


@dataclass(frozen=True)
class SetupChecklist:
    steps: list[SetupStep]

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def is_complete(self) -> bool:
        return self.done_count == self.total

    @property
    def can_start_from_package(self) -> bool:
        """Copying fills empty parts only: offer it while the framework, measures or timeline
        is missing."""
        return not all(step.done for step in self.steps if step.key in ("timeline", "framework", "measures"))


def collaborative_setup(collaborative: Collaborative) -> SetupChecklist:
    """What is set up and what is missing, in two queries."""
    pk = collaborative.pk
    counts = Collaborative.objects.filter(pk=pk).annotate(
        has_period=Exists(Period.objects.filter(collaborative=OuterRef("pk"))),
        has_session=Exists(Period.objects.filter(collaborative=OuterRef("pk"),
                                                 kind=Period.Kind.LEARNING_SESSION)),
        has_idea=Exists(ChangeIdea.objects.filter(collaborative=OuterRef("pk"))),
        has_measure=Exists(Measure.objects.filter(collaborative=OuterRef("pk"))),
    ).values("aim_statement", "has_period", "has_session", "has_idea", "has_measure").get()
    teams = Team.objects.filter(collaborative_id=pk).aggregate(
        total=Count("pk"),
        empty=Count("pk", filter=~Exists(Membership.objects.accepted().filter(team=OuterRef("pk")))),
        not_cross_role=Count("pk", filter=not_cross_role_q()),
    )
    return SetupChecklist([
        _timeline_step(pk, counts),
        _framework_step(pk, counts),
        _measures_step(pk, counts),
        _teams_step(pk, teams),
        _members_step(collaborative, teams),
    ])


def _timeline_step(pk: int, counts: dict) -> SetupStep:
    label = _("Timeline")
    if counts["has_period"] and counts["has_session"]:
        return SetupStep("timeline", label, True, _("Periods set, with a learning session dated."))
    detail = (_("No learning session dated yet.") if counts["has_period"]
              else _("No periods yet: pre-work, learning sessions, action periods."))
    return SetupStep("timeline", label, False, detail,
                     reverse("collaboratives:period-create", args=[pk]), _("Add a period"))


def _framework_step(pk: int, counts: dict) -> SetupStep:
    label = _("Aim and driver diagram")
    if not counts["aim_statement"].strip():
        return SetupStep("framework", label, False, _("No aim written yet."),
                         reverse("collaboratives:update", args=[pk]), _("Write the aim"))
    if not counts["has_idea"]:
        return SetupStep("framework", label, False,
                         _("No change ideas yet, so teams cannot log PDSA cycles."),
                         reverse("collaboratives:framework", args=[pk]), _("Add change ideas"))
    return SetupStep("framework", label, True, _("An aim and change ideas to test."))


def _measures_step(pk: int, counts: dict) -> SetupStep:
    label = _("Measures")
    if counts["has_measure"]:
        return SetupStep("measures", label, True, _("Measures for teams' monthly data."))
    return SetupStep("measures", label, False,
                     _("No measures yet, so teams have no monthly data to enter."),
                     reverse("measures:create", args=[pk]), _("Add a measure"))


def _teams_step(pk: int, teams: dict) -> SetupStep:
    label = _("Teams")
    if teams["total"]:
        return SetupStep("teams", label, True, ngettext(
            "%(count)s team.", "%(count)s teams.", teams["total"]) % {"count": teams["total"]})
    return SetupStep("teams", label, False, _("No teams yet."),
                     reverse("teams:create", args=[pk]), _("Add a team"))


def _members_step(collaborative: Collaborative, teams: dict) -> SetupStep:
    label = _("Cross-role members")
    if not teams["total"]:
        return SetupStep("members", label, False, _("Add a team first, then its members."))
    if not teams["empty"] and not teams["not_cross_role"]:
        return SetupStep("members", label, True,
                         _("Every team has members, with an educator and a family member."))
    problems = []
    if teams["empty"]:
        problems.append(ngettext("%(count)s team has no members yet.",
                                 "%(count)s teams have no members yet.",
                                 teams["empty"]) % {"count": teams["empty"]})
    # A team with no members also lacks an educator and a family member: count the others.
    missing = teams["not_cross_role"] - teams["empty"]
    if missing:
        problems.append(ngettext(
            "%(count)s team is missing an educator or a family member.",
            "%(count)s teams are missing an educator or a family member.",
            missing) % {"count": missing})
    return SetupStep("members", label, False, " ".join(problems),
                     collaborative.get_absolute_url() + "?gaps=1#teams", _("Show these teams"))


# --- What the team's members are told ------------------------------------------------------

def team_setup_notice_panel(request: HttpRequest, team: Team) -> dict | None:
    """A panel for the team page (``teams.panels``): tells the team's members, in words,
    what their collaborative has not set up yet and what that means for them. Leaders see
    the checklist on the collaborative page instead. One query."""
    if not access.can_write_team_work(request.user, team):
        return None
    missing = Collaborative.objects.filter(pk=team.collaborative_id).annotate(
        has_idea=Exists(ChangeIdea.objects.filter(collaborative=OuterRef("pk"))),
        has_measure=Exists(Measure.objects.filter(collaborative=OuterRef("pk"))),
    ).values("has_idea", "has_measure").get()
    notices = []
    if not missing["has_idea"]:
        notices.append(_("Your advisor has not added change ideas yet, so cycles can't be "
                         "logged. You can still write down an idea to test under “Next steps” "
                         "in your monthly report."))
    if not missing["has_measure"]:
        notices.append(_("Your advisor has not added measures yet, so there is no monthly data "
                         "to enter."))
    return {"notices": notices} if notices else None
