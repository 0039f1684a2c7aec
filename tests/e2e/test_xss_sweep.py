"""Hostile markup in every free-text field, and every page that shows it opened in Chromium:
nothing runs, and the Content Security Policy reports nothing.

``tests/planting.py`` writes script tags, event-handler attributes, ``javascript:`` links and
Plotly's own title and annotation markup into every free-text field of a collaborative, four
of its teams and their people (names, aim, driver diagram, sessions, measures and their
definitions and strata, cycles and comments, values' notes, reports, evaluations, affinity
groups). Then the advisor, two team members (one reading Spanish) and the state viewer, one
browser each, open every named URL of the URLconf they may read (the access matrix's
arguments, pointed at the planted rows), hover every point of every Plotly chart and every
element of the page, and the page must show no sign of the markup having become markup:
``window.__xss`` unset, no element with an ``on…`` attribute or a ``javascript:`` link, no
CSP violation (an init script listens for ``securitypolicyviolation``; the console is
watched too), no JavaScript error.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
import zlib
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Browser, BrowserContext, Error, Page

from collaboratives.models import CollaborativeRole
from teams.models import MemberRole
from tests import factories
from tests import test_access_matrix as matrix
from tests.conftest import World
from tests.planting import plant_collaborative, plant_person, plant_team

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

VECTORS = (
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    "javascript:window.__xss=1",
    '"><svg onload=window.__xss=1>',
    '<a href="javascript:window.__xss=1">x</a>',
    '<b onmouseover="window.__xss=1">b</b>',
    "';window.__xss=1;//",
    "</script><script>window.__xss=1</script>",
)

# Member B (a family member) reads in Spanish: the forms' Spanish texts show then.
PERSONAS = {"advisor": "en-US", "member_a": "en-US", "state_viewer": "en-US", "member_b": "es"}

NOT_VISITED = {
    "logout": "signing out is a POST",
    "api-schema": "the OpenAPI schema holds no rows",
}

# Records what the CSP refused, before any script of the page runs.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample || ""}`);
});
"""

# Hover every point of every chart (Plotly's own hover, which draws the hover labels) and
# every element (a handler that became an attribute would fire), then report what shows.
PROBE = """
() => {
  let hovers = 0;
  let labelled = 0;
  for (const graph of document.querySelectorAll(".js-plotly-plot")) {
    (graph.data || []).forEach((trace, curve) => {
      const points = Math.min(Math.max((trace.x || trace.y || []).length, 1), 60);
      for (let point = 0; point < points; point++) {
        const subplot = (trace.xaxis || "x") + (trace.yaxis || "y");
        // Plotly throttles hovers per graph (50 ms, keyed by the layout's uid): a fresh key
        // per hover draws each one now instead of only the last.
        const uid = graph._fullLayout._uid;
        graph._fullLayout._uid = `${uid}-${hovers}`;
        try {
          window.Plotly.Fx.hover(graph, [{curveNumber: curve, pointNumber: point}], subplot);
          hovers++;
          const label = graph.querySelector(".hoverlayer");
          if (label && label.textContent.includes("__xss")) { labelled++; }
        } catch (error) { /* a trace without points */ }
        finally { graph._fullLayout._uid = uid; }
      }
    });
  }
  for (const element of document.querySelectorAll("body *")) {
    element.dispatchEvent(new MouseEvent("mouseover", {bubbles: true}));
  }
  const handlers = [];
  const links = [];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const value = attribute.value.trim().toLowerCase();
      if (attribute.name.toLowerCase().startsWith("on")) {
        handlers.push(`<${element.localName} ${attribute.name}>`);
      } else if (value.startsWith("javascript:")
                 && /(^|:)(href|src|action|formaction)$/.test(attribute.name)) {
        links.push(`<${element.localName} ${attribute.name}="${attribute.value}">`);
      }
    }
  }
  return {hovers, labelled, handlers, links, csp: window.__csp || [], xss: window.__xss,
          charts: document.querySelectorAll(".js-plotly-plot").length,
          shown: document.documentElement.textContent.includes("window.__xss")};
}
"""


def hostile(label: str, suffix: str = "") -> str:
    """As many of the vectors as the field holds, starting at a different one per field."""
    app_label, model_name, field_name = label.partition("@")[0].split(".")
    field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    room = (field.max_length or 5000) - len(suffix)
    start = zlib.crc32(label.encode()) % len(VECTORS)
    text = ""
    for vector in VECTORS[start:] + VECTORS[:start]:
        if len(text) + len(vector) + 1 <= room:
            text = f"{text} {vector}" if text else vector
    return text + suffix


def hostile_for(owner: str):
    # Names are unique (per collaborative, per team): each text ends in its own tag.
    counter = itertools.count(1)
    return lambda label: hostile(label, f" {owner}{next(counter)}")


@dataclasses.dataclass
class Sweep:
    targets: matrix.Targets
    extra: dict[str, list[str]]
    built: dict = dataclasses.field(default_factory=dict)


@pytest.fixture
def sweep(world: World) -> Sweep:
    nc = plant_collaborative(world.collaborative, text=hostile_for("NC"), advisor=world.advisor)
    plant_person(world.member_a, text=hostile_for("A"))
    team_a = plant_team(world.team_a, text=hostile_for("A"), planted=nc, person=world.member_a,
                        reviewer=world.advisor)
    person_b = factories.MembershipFactory(team=world.team_b, role=MemberRole.ADMINISTRATOR).user
    plant_person(person_b, text=hostile_for("B"))
    team_b = plant_team(world.team_b, text=hostile_for("B"), planted=nc, person=person_b,
                        reviewer=world.advisor)
    # Two more teams, so that collaborative figures show to members and state viewers too
    # (a month needs three teams).
    for letter in "CD":
        membership = factories.MembershipFactory(
            team=factories.TeamFactory(collaborative=world.collaborative),
            role=MemberRole.FAMILY)
        plant_person(membership.user, text=hostile_for(letter))
        plant_team(membership.team, text=hostile_for(letter), planted=nc,
                   person=membership.user, reviewer=world.advisor)
    targets = matrix.Targets(
        world=world, period=nc.period,
        coach_role=CollaborativeRole.objects.get(user=world.coach,
                                                 collaborative=world.collaborative),
        measure=nc.stratified, measure_value=nc.measure.values.filter(team=world.team_a).last())
    # The access matrix's builders make their own rows unless these are already there.
    targets._pdsa_cycle = team_a.private_cycle
    targets._evaluation = nc.evaluation
    group = reverse("participation:affinity-group", args=[nc.group.pk])
    meeting = reverse("participation:affinity-meeting-update", args=[nc.group.pk, nc.meeting.pk])
    extra = {
        "advisor": [group, meeting, reverse("measures:detail", args=[nc.measure.pk]),
                    team_b.private_cycle.get_absolute_url(), team_b.report.get_absolute_url(),
                    reverse("teams:detail", args=[world.team_b.pk])],
        "member_a": [team_b.shared_cycle.get_absolute_url(), team_a.shared_cycle.get_absolute_url(),
                     reverse("measures:detail", args=[nc.measure.pk])],
        "state_viewer": [reverse("measures:detail", args=[nc.measure.pk]),
                         reverse("reports:state") + "?state=NC",
                         reverse("system:offering-update", args=[nc.offering.pk])],
        "member_b": [group, team_a.shared_cycle.get_absolute_url()],
    }
    return Sweep(targets=targets, extra=extra)


def _paths(sweep: Sweep, persona: str) -> tuple[list[str], list[str]]:
    """The URLs the persona reads (200, or a redirect to a page, in the access matrix), and
    those left out, with why."""
    paths: list[str] = []
    skipped: list[str] = []
    for name in sorted(matrix.url_names()):
        row = matrix.PAGES.get(name)
        if name in NOT_VISITED:
            skipped.append(f"{name}: {NOT_VISITED[name]}")
            continue
        if row is None:
            skipped.append(f"{name}: no row in the access matrix to build its arguments")
            continue
        outcome = row.outcomes[persona]
        if outcome != 200 and not isinstance(outcome, matrix.To):
            continue
        try:
            if row.kwargs not in sweep.built:  # a builder may make its row once only
                with transaction.atomic():
                    sweep.built[row.kwargs] = row.kwargs(sweep.targets)
            paths.append(reverse(name, kwargs=sweep.built[row.kwargs]))
        except (IntegrityError, ValidationError, NoReverseMatch) as error:
            skipped.append(f"{name}: {error}".splitlines()[0])
    return [*dict.fromkeys([*paths, *sweep.extra[persona]])], skipped


@pytest.fixture
def contexts(browser: Browser, server_url: str, world: World) -> Iterator[dict[str, BrowserContext]]:
    """One browser per persona, signed in with a session cookie (no sign-in page to load)."""
    opened = {}
    try:
        for persona, locale in PERSONAS.items():
            client = Client()
            client.force_login(getattr(world, persona))
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale=locale)
            context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                                  "url": server_url}])
            context.add_init_script(LISTEN)
            opened[persona] = context
        yield opened
    finally:
        for context in opened.values():
            context.close()


def _visit(page: Page, url: str, console: list[str]) -> tuple[list[str], dict]:
    """What the page did wrong, or [] (a download is not a page: nothing to run), and what
    the probe saw."""
    console.clear()
    try:
        page.goto(url, wait_until="load")
    except Error as error:
        if "Download is starting" in str(error):
            return [], {}
        raise
    # The server draws the charts as SVG; plotly draws them (and its hover labels) on request.
    page.evaluate("() => window.bscExploreCharts ? window.bscExploreCharts() : null")
    result = page.evaluate(PROBE)
    page.wait_for_timeout(0)
    problems = [f"window.__xss is {result['xss']!r}"] if result["xss"] is not None else []
    problems += [f"an event-handler attribute: {handler}" for handler in result["handlers"]]
    problems += [f"a javascript: link: {link}" for link in result["links"]]
    problems += [f"CSP: {violation}" for violation in result["csp"]]
    problems += console
    if page.evaluate("window.__xss") is not None:
        problems.append("window.__xss set after the hovers")
    return problems, result


def test_nothing_planted_runs_or_breaks_the_csp(contexts, sweep: Sweep, server_url: str):
    started = time.perf_counter()
    found: list[str] = []
    visited = hovers = charts = labelled = shown = 0
    skipped: set[str] = set()
    for persona, context in contexts.items():
        page = context.new_page()
        page.set_default_timeout(15_000)
        console: list[str] = []
        page.on("console", lambda message, console=console: console.append(
            f"console: {message.text}") if "Content Security Policy" in message.text else None)
        page.on("pageerror", lambda error, console=console: console.append(f"JavaScript error: {error}"))
        paths, left_out = _paths(sweep, persona)
        skipped.update(left_out)
        for path in paths:
            problems, result = _visit(page, server_url + path, console)
            found += [f"{persona} {path}: {problem}" for problem in problems]
            hovers += result.get("hovers", 0)
            charts += result.get("charts", 0)
            labelled += result.get("labelled", 0)
            shown += bool(result.get("shown"))
            visited += 1
        page.close()
    elapsed = time.perf_counter() - started
    print(f"XSS sweep: {visited} URLs ({shown} showing the planted text), {charts} charts, "
          f"{hovers} hovers ({labelled} labels with planted text) in {elapsed:.1f} s; "
          f"not visited: {sorted(skipped)}")
    assert not found, "Planted markup ran or the CSP refused something:\n  " + "\n  ".join(found)
    # Not blind: the planted text is on the pages, in the charts and in their hover labels.
    assert visited > 60
    assert shown > 40
    assert charts > 10
    assert hovers > 100
    assert labelled > 0


def test_the_probe_sees_markup_that_became_markup(contexts, server_url: str):
    page = contexts["advisor"].new_page()
    page.goto(f"{server_url}/accounts/profile/")
    page.evaluate("""() => document.body.insertAdjacentHTML("beforeend",
        '<img src="x" onerror="window.__xss=1"><a href="javascript:window.__xss=1">x</a>')""")
    page.wait_for_timeout(100)  # the image fails and its refused handler is reported

    result = page.evaluate(PROBE)

    assert result["xss"] is None
    assert result["handlers"] == ["<img onerror>"]
    assert result["links"] == ['<a href="javascript:window.__xss=1">']
    assert any(violation.startswith("script-src") for violation in result["csp"])
