"""A unique marker in every private text field of another team and another collaborative,
and every URL walked as every persona: nobody reads a marker that is not theirs to read.

Every CharField and TextField of the domain apps (and a person's name and email) is
classified by who may read it (``CLASSIFIED``); a new one fails
``test_it_classifies_every_text_field`` until it is. ``tests/planting.py`` then writes a
fresh marker into each, in both collaboratives (North Carolina's and Virginia's) and in one
team of each (NC's team B and VA's team), and the walk GETs every named URL of the URLconf,
with the access matrix's argument builders, first as that file uses them (team A), then
pointed at the planted rows (each planted team, its shared, private and shared-but-running
cycles, its report, the planted session, measure and evaluation), plus the exports' formats
and states and the API's filters, as each persona of the access matrix. It looks for
markers in bodies and headers (CSV, Excel and PDF opened) and names each one found by a
persona who may not read it. A URL name with no row in the access matrix is not walked (and
said so); that file's own test fails for it anyway.
"""

from __future__ import annotations

import dataclasses
import io
import re
import time
import uuid
import zipfile
from collections import defaultdict
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from pypdf import PdfReader

from collaboratives.models import CollaborativeRole
from pdsa.models import Cycle
from teams.models import MemberRole, Membership
from tests import factories
from tests import test_access_matrix as matrix
from tests.conftest import World
from tests.planting import (
    PERSON_FIELDS,
    PlantedCollaborative,
    PlantedTeam,
    free_text_fields,
    label_of,
    plant_collaborative,
    plant_person,
    plant_team,
)

pytestmark = pytest.mark.django_db

DOMAIN_APPS = ("collaboratives", "teams", "measures", "pdsa", "reports")

# Who may read a field, by where it was planted.
COLLABORATIVE = "collaborative"  # everyone who reads the collaborative, state viewers too
GROUP = "group"                  # the collaborative's leaders and the group's role
STATE = "state"                  # the state's viewers
TEAM = "team"                    # the team and the collaborative's leaders
SHARED = "shared"                # also the collaborative's other teams (a shared, complete cycle)
ANSWER = "answer"                # the collaborative's leaders (a named evaluation answer)
PERSON = "person"                # the person's team and the collaborative's leaders
OWN = "own"                      # the person alone (not one of the personas walked)
INTERNAL = "internal"            # never shown: not planted

CLASSIFIED: dict[str, str] = {
    "collaboratives.Collaborative.name": COLLABORATIVE,
    "collaboratives.Collaborative.topic": COLLABORATIVE,
    "collaboratives.Collaborative.aim_statement": COLLABORATIVE,
    "collaboratives.Collaborative.aim_statement_es": COLLABORATIVE,
    "collaboratives.Period.location": COLLABORATIVE,
    "collaboratives.Period.agenda": COLLABORATIVE,
    "collaboratives.Period.notes": COLLABORATIVE,
    "collaboratives.PrimaryDriver.title": COLLABORATIVE,
    "collaboratives.PrimaryDriver.title_es": COLLABORATIVE,
    "collaboratives.PrimaryDriver.description": COLLABORATIVE,
    "collaboratives.PrimaryDriver.description_es": COLLABORATIVE,
    "collaboratives.SecondaryDriver.title": COLLABORATIVE,
    "collaboratives.SecondaryDriver.title_es": COLLABORATIVE,
    "collaboratives.SecondaryDriver.description": COLLABORATIVE,
    "collaboratives.SecondaryDriver.description_es": COLLABORATIVE,
    "collaboratives.ChangeIdea.title": COLLABORATIVE,
    "collaboratives.ChangeIdea.title_es": COLLABORATIVE,
    "collaboratives.ChangeIdea.description": COLLABORATIVE,
    "collaboratives.ChangeIdea.description_es": COLLABORATIVE,
    # Which email went to whom, to send it once: the portal never shows it.
    "collaboratives.EmailClaim.kind": INTERNAL,
    "collaboratives.EmailClaim.key": INTERNAL,
    "collaboratives.ApiToken.name": OWN,
    "collaboratives.ApiToken.key_hash": INTERNAL,
    # Emails and jobs waiting for the broker.
    "collaboratives.OutboxMessage.task": INTERNAL,
    "collaboratives.OutboxMessage.last_error": INTERNAL,
    "collaboratives.PDOffering.name": STATE,
    "collaboratives.PDOffering.provider": STATE,
    "collaboratives.PDOffering.description": STATE,
    # A team's name and program are known to the collaborative (its page lists its teams).
    "teams.Organization.name": COLLABORATIVE,
    "teams.Organization.city": COLLABORATIVE,
    "teams.Team.name": COLLABORATIVE,
    # Who was invited, until they accept: the team and its leaders.
    "teams.Membership.invited_email": PERSON,
    "teams.Membership.invited_name": PERSON,
    "teams.AffinityGroup.name": GROUP,
    "teams.AffinityGroup.description": GROUP,
    "teams.AffinityMeeting.topic": GROUP,
    "teams.AffinityMeeting.notes": GROUP,
    # The form is shown to every team member who answers it.
    "teams.Evaluation.title": COLLABORATIVE,
    "teams.Evaluation.title_es": COLLABORATIVE,
    "teams.EvaluationQuestion.text": COLLABORATIVE,
    "teams.EvaluationQuestion.text_es": COLLABORATIVE,
    "teams.EvaluationAnswer.text": ANSWER,
    "measures.Measure.name": COLLABORATIVE,
    "measures.Measure.name_es": COLLABORATIVE,
    "measures.Measure.numerator_label": COLLABORATIVE,
    "measures.Measure.numerator_label_es": COLLABORATIVE,
    "measures.Measure.denominator_label": COLLABORATIVE,
    "measures.Measure.denominator_label_es": COLLABORATIVE,
    "measures.Measure.operational_definition": COLLABORATIVE,
    "measures.Measure.operational_definition_es": COLLABORATIVE,
    "measures.Measure.numerator_definition": COLLABORATIVE,
    "measures.Measure.numerator_definition_es": COLLABORATIVE,
    "measures.Measure.denominator_definition": COLLABORATIVE,
    "measures.Measure.denominator_definition_es": COLLABORATIVE,
    "measures.Measure.stratification": COLLABORATIVE,
    "measures.Measure.stratification_es": COLLABORATIVE,
    "measures.Stratum.label": COLLABORATIVE,
    "measures.Stratum.label_es": COLLABORATIVE,
    "measures.MeasureValue.note": TEAM,
    # Dates and notes of rare events (an expulsion) never leave the team.
    "measures.MeasureEvent.note": TEAM,
    # A team's phase says why its chart changed; a pooled phase's reason is the
    # collaborative's (planted here: a team's).
    "measures.MeasurePhase.reason": TEAM,
    "pdsa.CycleAttachment.caption": TEAM,
    "pdsa.CycleAttachment.original_name": TEAM,
    "measures.ParetoTally.title": TEAM,
    "measures.ParetoCategory.label": TEAM,
    **{label_of(apps.get_model("pdsa", "Cycle"), field.name): TEAM
       for field in free_text_fields(apps.get_model("pdsa", "Cycle"))},
    "pdsa.CycleComment.body": TEAM,
    "reports.MonthlyReport.successes": TEAM,
    "reports.MonthlyReport.challenges": TEAM,
    "reports.MonthlyReport.next_steps": TEAM,
    "reports.MonthlyReport.supports_needed": TEAM,
    "reports.MonthlyReport.feedback": TEAM,
    # Which email a report's event sent: never shown.
    "reports.ReportNotice.event": INTERNAL,
    "auth.User.first_name": PERSON,
    "auth.User.last_name": PERSON,
    "auth.User.email": PERSON,
    "auth.User.username": PERSON,
}

# Who may read a marker, by (scope, where it was planted). The NC collaborative holds teams
# A (member A) and B (member B, and the planted person, an administrator); its affinity group
# is for family members (member B's role). Virginia has one team; its group is for family
# members too, and its one member is an educator. Nobody in PERSONAS leads no collaborative
# and is on no team but the stranger, who reads nothing.
NC_READERS = {"member_a", "member_b", "advisor", "state_viewer"}
VA_READERS = {"other_advisor", "other_state_viewer"}
READERS: dict[tuple[str, str], set[str]] = {
    (COLLABORATIVE, "nc"): NC_READERS, (COLLABORATIVE, "va"): VA_READERS,
    (GROUP, "nc"): {"member_b", "advisor"}, (GROUP, "va"): {"other_advisor"},
    (STATE, "nc"): {"state_viewer"}, (STATE, "va"): {"other_state_viewer"},
    (COLLABORATIVE, "team_b"): NC_READERS, (COLLABORATIVE, "team_v"): VA_READERS,
    (TEAM, "team_b"): {"member_b", "advisor"}, (TEAM, "team_v"): {"other_advisor"},
    (SHARED, "team_b"): {"member_a", "member_b", "advisor"}, (SHARED, "team_v"): {"other_advisor"},
    (ANSWER, "team_b"): {"advisor"}, (ANSWER, "team_v"): {"other_advisor"},
    (PERSON, "team_b"): {"member_b", "advisor"}, (PERSON, "team_v"): {"other_advisor"},
    (OWN, "team_b"): set(), (OWN, "team_v"): set(),
}

MARKER = re.compile(r"zqx[0-9a-f]{10}")

# Pages that take a format or a state in the query, beyond what their URL names say.
QUERY_VARIANTS: dict[str, list[dict[str, str]]] = {
    "reports:dashboard": [{"format": "csv"}, {"format": "xlsx"}],
    "reports:state": [{"format": "csv"}, {"format": "xlsx"}, {"state": "VA"}, {"state": "NC"},
                      {"state": "VA", "format": "csv"}],
    "system:assessment": [{"state": "VA"}, {"state": "NC"}],
    "system:export": [{"format": "xlsx"}, {"state": "VA"}, {"state": "NC"}],
    "teams:list": [{"q": "zqx"}],
}

NOT_WALKED = {
    "api-schema": "the OpenAPI schema describes the endpoints and holds no rows (and takes "
                  "1-2 s to build)",
    "logout": "signing out is a POST; a GET is 405",
}


@dataclasses.dataclass(frozen=True)
class Marker:
    owner: str
    label: str
    scope: str


class Planter:
    """Hands out a fresh marker per field and remembers where it went."""

    def __init__(self) -> None:
        self.markers: dict[str, Marker] = {}

    def text_for(self, owner: str):
        def text(label: str) -> str:
            base, _at, suffix = label.partition("@")
            scope = suffix or CLASSIFIED[base]
            marker = f"zqx{uuid.uuid4().hex[:10]}"
            self.markers[marker] = Marker(owner, base, scope)
            return marker
        return text


def text_fields() -> set[str]:
    """Every free-text field of the domain apps' models, and a person's own. History rows
    copy the same fields: they carry the same markers wherever a page shows them."""
    labels = {label_of(model, field.name)
              for app in DOMAIN_APPS for model in apps.get_app_config(app).get_models()
              if not model.__name__.startswith("Historical")
              for field in free_text_fields(model)}
    user_model = get_user_model()
    return labels | {label_of(user_model, name) for name in (*PERSON_FIELDS, "username")}


def test_it_classifies_every_text_field():
    unclassified = sorted(text_fields() - CLASSIFIED.keys())
    assert not unclassified, ("Text fields nobody has said who may read (add them to "
                              f"CLASSIFIED and plant them): {unclassified}")


def test_it_has_no_class_for_a_field_that_is_gone():
    assert not sorted(CLASSIFIED.keys() - text_fields())


# --- The planted world ----------------------------------------------------------------------

@dataclasses.dataclass
class Walk:
    planter: Planter
    targets: list[matrix.Targets]  # the access matrix's own, then ones at planted rows
    extra_urls: list[str]
    extra_ids: dict[str, int]


def _targets(world: World) -> matrix.Targets:
    """What the access matrix's ``targets`` fixture makes, for ``world``'s collaborative."""
    measure = factories.MeasureFactory(collaborative=world.collaborative)
    number = world.collaborative.periods.count() + 1  # after the planted session
    return matrix.Targets(
        world=world, period=factories.PeriodFactory(collaborative=world.collaborative,
                                                    number=number),
        coach_role=CollaborativeRole.objects.get(user=world.coach,
                                                 collaborative=world.collaborative),
        measure=measure,
        measure_value=factories.MeasureValueFactory(team=world.team_a, measure=measure),
    )


def _pointed_at(world: World, planted: PlantedCollaborative, team: PlantedTeam, cycle: Cycle,
                *, advisor: object, coach_role: CollaborativeRole) -> matrix.Targets:
    """The access matrix's argument builders pointed at planted rows: ``team`` in the place
    of team A, its person in member A's, ``cycle`` as the cycle, the planted session,
    measure and evaluation."""
    membership = Membership.objects.get(team=team.team, user=team.person)
    targets = matrix.Targets(
        world=dataclasses.replace(
            world, collaborative=planted.collaborative, team_a=team.team,
            member_a=team.person, membership_a=membership, advisor=advisor,
            coach=coach_role.user),
        period=planted.period, coach_role=coach_role, measure=planted.measure,
        measure_value=planted.measure.values.filter(team=team.team).exclude(note="").get())
    targets._pdsa_cycle = cycle
    targets._evaluation = planted.evaluation
    return targets


def _planted_urls(planted: PlantedCollaborative) -> list[str]:
    """Planted rows no argument builder of the access matrix reaches."""
    group, meeting = planted.group.pk, planted.meeting.pk
    return [
        reverse("participation:affinity-group", args=[group]),
        reverse("participation:affinity-group-update", args=[group]),
        reverse("participation:affinity-meeting-update", args=[group, meeting]),
        reverse("measures:detail", args=[planted.stratified.pk]),
        reverse("measures:figures-export", args=[planted.stratified.pk]),
        reverse("api:measure-chart-data", args=[planted.stratified.pk]),
        reverse("system:offering-update", args=[planted.offering.pk]),
    ]


@pytest.fixture
def walk(world: World) -> Walk:
    planter = Planter()
    nc = plant_collaborative(world.collaborative, text=planter.text_for("nc"),
                             advisor=world.advisor)
    va = plant_collaborative(world.other_collaborative, text=planter.text_for("va"),
                             advisor=world.other_advisor)
    # Team B's administrator writes team B's private words; nobody else shares their role
    # or their affinity group, so their name is for team B and its leaders only.
    person_b = factories.MembershipFactory(team=world.team_b, role=MemberRole.ADMINISTRATOR).user
    plant_person(person_b, text=planter.text_for("team_b"), username=True)
    team_b = plant_team(world.team_b, text=planter.text_for("team_b"), planted=nc,
                        person=person_b, reviewer=world.advisor)
    person_v = Membership.objects.get(team=world.other_team).user
    plant_person(person_v, text=planter.text_for("team_v"), username=True)
    team_v = plant_team(world.other_team, text=planter.text_for("team_v"), planted=va,
                        person=person_v, reviewer=world.other_advisor)
    nc_coach = CollaborativeRole.objects.get(user=world.coach, collaborative=world.collaborative)
    va_coach = factories.CollaborativeRoleFactory(collaborative=world.other_collaborative,
                                                  role=CollaborativeRole.Role.COACH)
    pointed = [
        _pointed_at(world, planted, team, cycle, advisor=advisor, coach_role=coach)
        for planted, team, advisor, coach in ((nc, team_b, world.advisor, nc_coach),
                                              (va, team_v, world.other_advisor, va_coach))
        for cycle in (team.shared_cycle, team.private_cycle, team.shared_open_cycle)
    ]
    return Walk(
        planter=planter, targets=[_targets(world), *pointed],
        extra_urls=[*_planted_urls(nc), *_planted_urls(va)],
        extra_ids={"team_b": world.team_b.pk, "team_v": world.other_team.pk,
                   "nc": world.collaborative.pk, "va": world.other_collaborative.pk})


def test_it_plants_a_marker_in_every_field_it_classifies_as_readable(walk: Walk):
    planted = defaultdict(set)
    for marker, where in walk.planter.markers.items():
        planted[where.label].add(marker)
    for label in [label for label, scope in CLASSIFIED.items() if scope != INTERNAL]:
        app_label, model_name, field = label.split(".")
        model = apps.get_model(app_label, model_name)
        stored = {marker for marker in planted[label]
                  if model.objects.filter(**{f"{field}__contains": marker}).exists()}
        assert stored, f"Nothing planted in {label}: plant it in tests/planting.py"


# --- The walk -------------------------------------------------------------------------------

def _urls(walk: Walk) -> tuple[list[str], list[str]]:
    """Every named URL with the access matrix's arguments, built for each of the walk's
    targets, plus the query variants; and the names left out, with why."""
    urls: list[str] = []
    skipped: dict[str, str] = {}
    kwargs: dict[tuple[int, object], dict] = {}
    ids = walk.extra_ids
    api_filters = [{"team": ids["team_b"]}, {"team": ids["team_v"]},
                   {"collaborative": ids["va"]}, {"collaborative": ids["nc"]}]
    for name in sorted(matrix.url_names()):
        row = matrix.PAGES.get(name)
        if name in NOT_WALKED:
            skipped[name] = NOT_WALKED[name]
            continue
        if row is None:
            skipped[name] = "no row in the access matrix to build its arguments"
            continue
        built = []
        for targets in walk.targets:
            # A builder that makes a row may refuse to make a second one for the same
            # person or state (a unique name): it runs once per target, and the URLs it
            # could build are walked.
            key = (id(targets), row.kwargs)
            try:
                if key not in kwargs:
                    with transaction.atomic():
                        kwargs[key] = row.kwargs(targets)
                built.append(reverse(name, kwargs=kwargs[key]))
            except (IntegrityError, ValidationError, NoReverseMatch) as error:
                skipped.setdefault(name, str(error).splitlines()[0])
        if built:
            skipped.pop(name, None)
        for url in dict.fromkeys(built):
            if url in urls:
                continue
            urls.append(url)
            urls += [f"{url}?{urlencode(query)}" for query in QUERY_VARIANTS.get(name, [])]
            # Filters are read by the API's lists (and the chart data, for a team's series).
            # Production renders JSON only, so ``?format=json`` would be the same answer.
            if name.startswith("api:") and name.endswith(("-list", "chart-data")):
                urls += [f"{url}?{urlencode(query)}" for query in api_filters]
    urls += [url for url in walk.extra_urls if url not in urls]
    return urls, [f"{name}: {why}" for name, why in sorted(skipped.items())]


def _body(response) -> str:
    content = (b"".join(response.streaming_content) if response.streaming
               else response.content)
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
        text = re.sub(r"\s+", "", text)
    elif "spreadsheetml" in kind or content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            text = "\n".join(book.read(name).decode("utf-8", "replace")
                             for name in book.namelist() if name.endswith(".xml"))
    else:
        text = content.decode(response.charset or "utf-8", "replace")
    headers = "\n".join(f"{key}: {value}" for key, value in response.items())
    return f"{headers}\n{text}".lower()


@pytest.fixture
def _no_rate_limits(settings) -> None:
    """The walk makes hundreds of calls a minute per persona: a 429 would hide a leak."""
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": dict.fromkeys(rates, "1000000/min")}


@dataclasses.dataclass
class Seen:
    leaks: list[str] = dataclasses.field(default_factory=list)
    statuses: dict[int, int] = dataclasses.field(default_factory=lambda: defaultdict(int))
    markers: dict[str, set[str]] = dataclasses.field(default_factory=lambda: defaultdict(set))


def _walk_as(persona: str, user, urls: list[str], markers: dict[str, Marker], seen: Seen) -> None:
    client = Client()
    if user is not None:
        client.force_login(user)
    for url in urls:
        response = client.get(url)
        seen.statuses[response.status_code] += 1
        for found in set(MARKER.findall(_body(response))):
            where = markers.get(found)
            if where is None:
                continue
            seen.markers[persona].add(found)
            if persona not in READERS[(where.scope, where.owner)]:
                seen.leaks.append(f"{persona} read {where.label} of {where.owner} "
                                  f"({where.scope}) at {url} [{response.status_code}]")


@pytest.mark.usefixtures("_no_rate_limits")
def test_it_shows_no_persona_a_marker_that_is_not_theirs(walk: Walk):
    started = time.perf_counter()
    urls, skipped = _urls(walk)
    seen = Seen()
    for persona in matrix.PERSONAS:
        user = None if persona == "anonymous" else getattr(walk.targets[0], persona)
        _walk_as(persona, user, urls, walk.planter.markers, seen)
    print(f"Marker walk: {len(urls)} URLs x {len(matrix.PERSONAS)} personas in "
          f"{time.perf_counter() - started:.1f} s; answers {dict(seen.statuses)}; "
          f"not walked: {skipped}")
    assert not seen.statuses[429], dict(seen.statuses)
    assert not seen.statuses[500], dict(seen.statuses)
    assert not seen.leaks, ("Planted markers read by whom they are not for:\n  "
                            + "\n  ".join(seen.leaks))
    # Not blind: every kind of marker is found by someone who may read it.
    found = {marker for markers in seen.markers.values() for marker in markers}
    unseen_labels = sorted({where.label for marker, where in walk.planter.markers.items()}
                           - {walk.planter.markers[marker].label for marker in found})
    print(f"Fields whose markers no page shows to anyone: {unseen_labels}")
    kinds = {(where.scope, where.owner) for where in walk.planter.markers.values()}
    unseen_kinds = {kind for kind in kinds if READERS[kind]} - {
        (where.scope, where.owner) for persona, markers in seen.markers.items()
        for where in map(walk.planter.markers.__getitem__, markers)
        if persona in READERS[(where.scope, where.owner)]}
    assert not unseen_kinds, f"Markers no reader found: the walk misses their pages: {unseen_kinds}"
    assert len(seen.markers["advisor"]) > 50
    assert len(seen.markers["other_advisor"]) > 50
    assert seen.markers["member_a"]
    assert seen.markers["member_b"]
    assert seen.markers["state_viewer"]


def test_the_walk_sees_a_marker_where_it_should_not_be(walk: Walk, world: World):
    markers = walk.planter.markers
    private = next(marker for marker, where in markers.items()
                   if where.owner == "team_b" and where.scope == TEAM)
    world.collaborative.aim_statement = f"Our aim {private}"
    world.collaborative.save()
    seen = Seen()

    _walk_as("member_a", world.member_a, [reverse("collaboratives:detail",
                                                  args=[world.collaborative.pk])], markers, seen)

    assert len(seen.leaks) == 1
    assert "member_a read" in seen.leaks[0]
