"""schemathesis against /api/v1/: every operation of the published schema, as an advisor, a
team member and a state viewer, with generated input (valid and invalid) and a fixed seed.
Every answer must be documented: no 5xx, a status code the operation lists, the content type
and body its schema says (the error answers are documented in bsc_portal/schema.py).

Most generated ids, and some months, dates and versions, are swapped for ones that exist, so
the fuzzing reaches past "not found" into the services. An anonymous caller is fuzzed too,
briefly: its 401 must be documented as well. Each example runs in a savepoint that is
rolled back: every example sees the same data, and writes never pile up."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.test.client import ClientHandler
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from collaboratives import services as framework
from collaboratives.models import CollaborativeRole
from collaboratives.services import advisor_group_ensure
from measures.models import Measure
from measures.pareto import pareto_tally_save
from pdsa import services as pdsa_services
from reports import services as report_services
from teams.models import MemberRole
from tests import factories

# Bounded: examples (valid input, invalid input) per operation and persona; about 46
# operations. Whoever is refused before the input is read needs fewer.
EXAMPLES = (10, 5)
REFUSED_EXAMPLES = (3, 2)
PERSONAS = ("advisor", "member_a", "state_viewer", "anonymous")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Months with values and without, and out of range; dates in and out of range.
MONTHS = ["2026-01", "2026-03", "2026-06", "2026-08", "2025-12", "1999-12", "2101-01"]
DATES = ["2026-01-01", "2026-06-30", "2027-03-31", "1999-12-31"]
# Fields that hold a list of ids, and the ids they hold.
LIST_FIELDS = {"participants": "lead", "secondary_drivers": "secondary_driver",
               "measures": "measure"}


def _published_schema() -> dict[str, Any]:
    """The schema /api/v1/schema/ serves (the same generator, without the HTTP round trip:
    the operations must be known when pytest collects the tests)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


SCHEMA = schemathesis.openapi.from_dict(_published_schema())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


class DjangoApp:
    """Django as a WSGI app, the way its test client runs it: CSRF checks off (DRF's session
    authentication honours the test flag) and the database connection left open, inside the
    test's transaction. The traceback of a 500 is in the captured log (django.request)."""

    def __init__(self) -> None:
        self.handler = ClientHandler(enforce_csrf_checks=False)

    def __call__(self, environ: dict, start_response: Any) -> list[bytes]:
        response = self.handler(environ)
        headers = [*response.items(),
                   *(("Set-Cookie", cookie.output(header="").strip())
                     for cookie in response.cookies.values())]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [response.content]


@dataclass
class FuzzWorld:
    """Known ids by the name a parameter or field gives them, and a session per persona."""

    ids: dict[str, list[int]] = field(default_factory=dict)
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)


def _build() -> FuzzWorld:
    """The conftest world's shape (two collaboratives in two states, teams A and B, one
    person per role), with a driver diagram, measures, values, cycles and reports."""
    user = factories.UserFactory
    collaborative = factories.CollaborativeFactory(name="Growing Together", state="NC")
    other = factories.CollaborativeFactory(name="Family Engagement", state="VA")
    # Unusable passwords: the personas sign in by session, and hashing is slow.
    advisor, coach, other_advisor = (user(username=name, password=None)
                                     for name in ("fuzz-advisor", "fuzz-coach", "fuzz-other"))
    advisor.groups.add(advisor_group_ensure())
    factories.CollaborativeRoleFactory(user=advisor, collaborative=collaborative)
    factories.CollaborativeRoleFactory(user=coach, collaborative=collaborative,
                                       role=CollaborativeRole.Role.COACH)
    factories.CollaborativeRoleFactory(user=other_advisor, collaborative=other)
    team_a = factories.TeamFactory(collaborative=collaborative, name="Team A")
    team_b = factories.TeamFactory(collaborative=collaborative, name="Team B")
    other_team = factories.TeamFactory(collaborative=other, name="Team V")
    member_a, lead_a, member_b = (user(username=name, password=None)
                                  for name in ("fuzz-member-a", "fuzz-lead-a", "fuzz-member-b"))
    memberships = [
        factories.MembershipFactory(team=team_a, user=member_a, role=MemberRole.EDUCATOR),
        factories.MembershipFactory(team=team_a, user=lead_a, role=MemberRole.ADMINISTRATOR,
                                    is_lead=True),
        factories.MembershipFactory(team=team_b, user=member_b, role=MemberRole.FAMILY),
        factories.MembershipFactory(team=other_team, user__password=None),
    ]
    state_viewer = factories.StateViewerRoleFactory(state="NC", user__password=None).user

    ideas, secondaries = [], []
    for collab in (collaborative, other):
        primary = framework.primary_driver_create(collaborative=collab, title="Relationships")
        secondary = framework.secondary_driver_create(
            collaborative=collab, title="Predictable routines", primary_drivers=[primary])
        secondaries.append(secondary)
        ideas.append(framework.change_idea_create(
            collaborative=collab, title="Visual schedules", secondary_drivers=[secondary]))

    percent = factories.MeasureFactory(collaborative=collaborative, name="Practices")
    stratified = factories.MeasureFactory(
        collaborative=collaborative, name="Attendance", stratification="Home language",
        unit=Measure.Unit.PERCENT)
    strata = [factories.StratumFactory(measure=stratified, label=label, is_reference=reference)
              for label, reference in (("English", True), ("Spanish", False))]
    theirs = factories.MeasureFactory(collaborative=other, name="Their measure")
    values = []
    for month in range(1, 7):
        first = datetime.date(2026, month, 1)
        for team in (team_a, team_b):
            values.append(factories.MeasureValueFactory(
                team=team, measure=percent, month=first, numerator=month, denominator=8))
            for stratum in strata:
                values.append(factories.MeasureValueFactory(
                    team=team, measure=stratified, stratum=stratum, month=first,
                    numerator=2, denominator=5))
        values.append(factories.MeasureValueFactory(team=other_team, measure=theirs, month=first))

    cycles = [
        pdsa_services.cycle_create(team=team_a, created_by=member_a, change_idea=ideas[0],
                                   title="Try a picture schedule", measures=[percent]),
        pdsa_services.cycle_create(team=team_b, created_by=member_b, change_idea=ideas[0],
                                   title="Their picture schedule"),
        pdsa_services.cycle_create(team=other_team, created_by=None, change_idea=ideas[1],
                                   title="Far away"),
    ]
    reports = [report_services.monthly_report_build(team=team, month=datetime.date(2026, 3, 1))
               for team in (team_a, team_b, other_team)]
    # Team A's is ready to submit, team B's waits for the advisor's review.
    for report in reports[:2]:
        report_services.monthly_report_save(report=report, self_score=Decimal("2.5"))
    report_services.monthly_report_submit(report=reports[1], submitted_by=member_b)
    # A program in the collaborative's state with no team yet: a new team can take it.
    free_program = factories.OrganizationFactory(state="NC")

    people = [advisor, coach, member_a, lead_a, member_b, memberships[-1].user]
    measures = [percent, stratified, theirs]
    tallies = [pareto_tally_save(team=team, title=f"Early pick-ups {team.name}",
                                 start=datetime.date(2026, 1, 1), end=datetime.date(2026, 2, 28),
                                 categories=[("Illness", 2), ("Transport", 1)], saved_by=None)
               for team in (team_a, team_b, other_team)]
    world = FuzzWorld(ids={
        "collaborative": [collaborative.pk, other.pk],
        "team": [team_a.pk, team_b.pk, other_team.pk],
        "organization_id": [free_program.pk, team_a.organization_id, other_team.organization_id],
        "measure": [m.pk for m in measures],
        "stratum": [s.pk for s in strata],
        "change_idea": [idea.pk for idea in ideas],
        "secondary_driver": [s.pk for s in secondaries],
        "follows": [c.pk for c in cycles],
        "lead": [p.pk for p in people],
        "version": [1, 2],
        # Path ids, by the collection they are in.
        "collaboratives": [collaborative.pk, other.pk],
        "pareto-tallies": [tally.pk for tally in tallies],
        "teams": [team_a.pk, team_b.pk, other_team.pk],
        "memberships": [m.pk for m in memberships],
        "measures": [m.pk for m in measures],
        "measure-values": [v.pk for v in values[:3] + values[-3:]],
        "pdsa-cycles": [c.pk for c in cycles],
        "change-ideas": [idea.pk for idea in ideas],
        "reports": [r.pk for r in reports],
    })
    for persona, person in (("advisor", advisor), ("member_a", member_a),
                            ("state_viewer", state_viewer)):
        client = Client()
        client.force_login(person)
        world.cookies[persona] = {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    world.cookies["anonymous"] = {}
    return world


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker) -> Iterator[FuzzWorld]:
    """Built once for the module, in a transaction rolled back at its end; each test's own
    (pytest-django) transaction nests inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


def _collection(operation: schemathesis.APIOperation) -> str:
    return operation.path.removeprefix("/api/v1/").split("/")[0]


def _swap_known(data: st.DataObject, world: FuzzWorld, case: schemathesis.Case) -> None:
    """Replace most generated ids, and some months, dates and pages, with ones that exist."""
    def pick(name: str) -> Any:
        return data.draw(st.sampled_from(world.ids[name]))

    def often(tenths: int = 8) -> bool:
        return data.draw(st.integers(0, 9)) < tenths

    if case.path_parameters and "id" in case.path_parameters and often():
        case.path_parameters["id"] = pick(_collection(case.operation))
    for name in list(case.query or {}):
        if name in world.ids and often():
            case.query[name] = pick(name)
        elif name.startswith("month") and often(5):
            case.query[name] = data.draw(st.sampled_from(MONTHS))
        elif name == "page" and often(7):
            del case.query[name]
    rows = [case.body] if isinstance(case.body, dict) else []
    if rows and isinstance(case.body.get("values"), list):
        rows += [row for row in case.body["values"] if isinstance(row, dict)]
    for row in rows:
        for name in list(row):
            if name in LIST_FIELDS and often():
                row[name] = data.draw(st.lists(st.sampled_from(world.ids[LIST_FIELDS[name]]),
                                               min_size=1, max_size=3))
            elif name in world.ids and often():
                row[name] = pick(name)
            elif name == "month" and often(5):
                row[name] = data.draw(st.sampled_from(MONTHS))
            elif (name.endswith("_date") or name in ("planned_start", "done_on")) and often(5):
                row[name] = data.draw(st.sampled_from(DATES))


def _fuzz(operation: schemathesis.APIOperation, world: FuzzWorld, persona: str,
          mode: GenerationMode, examples: int) -> None:
    app = DjangoApp()
    cookies = world.cookies[persona]

    @hypothesis.settings(
        max_examples=examples, derandomize=True, database=None, deadline=None,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(mode), data=st.data())
    def run(case: schemathesis.Case, data: st.DataObject) -> None:
        _swap_known(data, world, case)
        with transaction.atomic():
            try:
                # Uncompressed: the checks read the body as sent (GZipMiddleware).
                case.call_and_validate(app=app, cookies=cookies, checks=CHECKS,
                                       headers={"Accept-Encoding": "identity"})
            finally:
                transaction.set_rollback(True)

    run()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_it_answers_every_operation_as_the_schema_says(operation, persona, fuzz_world, db):
    # Nobody signed in gets 401, and a state viewer's writes 403, before the input is read.
    refused = persona == "anonymous" or (
        persona == "state_viewer" and operation.method.upper() != "GET")
    valid, invalid = REFUSED_EXAMPLES if refused else EXAMPLES
    _fuzz(operation, fuzz_world, persona, GenerationMode.POSITIVE, valid)
    _fuzz(operation, fuzz_world, persona, GenerationMode.NEGATIVE, invalid)


def test_it_fuzzes_the_schema_the_api_serves(client, fuzz_world, db):
    client.force_login(factories.UserFactory(password=None))
    served = client.get("/api/v1/schema/", headers={"accept": "application/json"})
    assert served.status_code == 200
    assert json.loads(served.content)["paths"].keys() == SCHEMA.raw_schema["paths"].keys()
