"""The portal's main pages and API lists, per persona, for a seeded demo: their query counts
(scripts/benchmark_queries.py and the test that keeps page queries flat as the number of
teams grows) and their server CPU time and response sizes (scripts/bench.py)."""

from __future__ import annotations

import datetime
import functools
import gc
import gzip
import io
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from collaboratives.models import Collaborative
from measures.models import Measure
from measures.months import add_months
from pdsa.models import Cycle
from reports.demo.phases import FIDELITY
from teams.models import Team

ADVISOR, MEMBER, STATE, ADMIN = "advisor", "member-a", "state", "admin"

# What the measure pages are compared with: the rows they chart, fetched with nothing on top.
RAW_VALUES_SQL = ("SELECT team_id, month, stratum_id, numerator, denominator "
                  "FROM measures_measurevalue WHERE measure_id = %s")
# What the cohort dashboard is compared with: every row it is drawn from (its teams, their
# reports, cycles, members and every measure's values), fetched with nothing on top.
RAW_DASHBOARD_SQL = [
    "SELECT t.id, t.name, o.name, o.kind FROM teams_team t JOIN teams_organization o "
    "ON o.id = t.organization_id WHERE t.collaborative_id = %s",
    "SELECT r.team_id, r.month, r.status, r.self_score, r.advisor_score FROM reports_monthlyreport r "
    "JOIN teams_team t ON t.id = r.team_id WHERE t.collaborative_id = %s",
    "SELECT c.team_id, c.status, c.decision, c.title, c.updated_at, c.completed_at, c.lead_role "
    "FROM pdsa_cycle c JOIN teams_team t ON t.id = c.team_id WHERE t.collaborative_id = %s",
    "SELECT m.team_id, m.role FROM teams_membership m JOIN teams_team t ON t.id = m.team_id "
    "WHERE t.collaborative_id = %s",
    "SELECT v.team_id, v.measure_id, v.month, v.stratum_id, v.numerator, v.denominator "
    "FROM measures_measurevalue v JOIN measures_measure m ON m.id = v.measure_id "
    "WHERE m.collaborative_id = %s",
]


@dataclass(frozen=True)
class Page:
    username: str
    label: str  # unique; API labels start with "api" (the query-budget test relies on it)
    url: Callable[[], str]
    # The measure whose values the page charts, for the comparison with RAW_VALUES_SQL.
    raw_measure: Callable[[], Measure] | None = None
    is_measure_page: bool = False
    # Or the collaborative whose RAW_DASHBOARD_SQL rows the page is compared with.
    raw_collaborative: Callable[[], Collaborative] | None = None


def pages() -> list[Page]:
    """Every main page and API list, each as the personas that read it."""

    def first() -> Collaborative:
        return Collaborative.objects.get(state="NC")

    def team_a() -> Team:
        return Team.objects.get(memberships__user__username=MEMBER)

    def cycle_a() -> Cycle:
        return Cycle.objects.filter(team=team_a()).order_by("pk").first()

    def cycle_with_files() -> Cycle:
        return Cycle.objects.filter(team=team_a(), attachments__isnull=False).order_by("pk").first()

    def events_measure() -> Measure:
        return Measure.objects.filter(collaborative=first(), records_events=True).order_by("pk").first()

    def fidelity() -> Measure:
        # The chart the demo starts a new phase of (reports/demo/phases.py).
        return Measure.objects.get(collaborative=first(), name=FIDELITY)

    def stratified() -> Measure:
        return Measure.objects.filter(collaborative=first()).exclude(stratification="").first()

    def of_kind(kind: str) -> Callable[[], Measure]:
        # Unstratified, so each chart kind is measured on its own.
        return lambda: Measure.objects.filter(collaborative=first(), chart_kind=kind,
                                              stratification="").order_by("order", "pk").first()

    def last_month() -> datetime.date:
        return add_months(timezone.localdate().replace(day=1), -1)

    def chart_data(measure: Callable[[], Measure]) -> Callable[[], str]:
        return lambda: reverse("api:measure-chart-data", args=[measure().pk])

    def collaborative_list() -> str:
        return reverse("collaboratives:list")

    def collaborative() -> str:
        return first().get_absolute_url()

    def measure_list() -> str:
        return reverse("measures:list", args=[first().pk])

    def spread() -> str:
        return reverse("pdsa:spread", args=[first().pk])

    def latest_report() -> str:
        return team_a().monthly_reports.order_by("-month").first().get_absolute_url()

    def month_query(name: str) -> Callable[[], str]:
        return lambda: reverse(name, args=[first().pk]) + f"?month={last_month():%Y-%m}"

    def of_first(name: str) -> Callable[[], str]:
        return lambda: reverse(name, args=[first().pk])

    p_chart, run_chart = of_kind(Measure.ChartKind.P), of_kind(Measure.ChartKind.RUN)
    return [
        Page(ADVISOR, "cohort dashboard", of_first("reports:dashboard"), raw_collaborative=first),
        Page(ADVISOR, "cohort dashboard, stalled filter",
             lambda: reverse("reports:dashboard", args=[first().pk]) + "?flag=stalled&sort=stalled"),
        Page(STATE, "state dashboard (state)", lambda: reverse("reports:state")),
        Page(ADVISOR, "cycles across teams", of_first("pdsa:collaborative-cycles")),
        Page(ADVISOR, "who leads cycles", of_first("pdsa:leadership")),
        Page(ADVISOR, "dosage", of_first("participation:dosage")),
        Page(ADVISOR, "learning sessions", of_first("participation:sessions")),
        Page(ADVISOR, "affinity groups", of_first("participation:affinity-groups")),
        Page(ADVISOR, "evaluations", of_first("evaluations:list")),
        Page(STATE, "system assessment (state)", lambda: reverse("system:assessment")),
        Page(ADVISOR, "activity (collaborative)", of_first("activity:collaborative")),
        Page(MEMBER, "activity (team)", lambda: reverse("activity:team", args=[team_a().pk])),
        Page(ADVISOR, "start from a change package", of_first("setup:start-from")),
        Page(MEMBER, "invitations", lambda: reverse("invitations:list")),
        Page(ADVISOR, "collaborative list", collaborative_list),
        Page(MEMBER, "collaborative list (member)", collaborative_list),
        Page(STATE, "collaborative list (state)", collaborative_list),
        Page(ADVISOR, "collaborative detail", collaborative),
        Page(MEMBER, "collaborative detail (member)", collaborative),
        Page(STATE, "collaborative detail (state)", collaborative),
        Page(ADVISOR, "team list", lambda: reverse("teams:list")),
        Page(ADVISOR, "team detail", lambda: team_a().get_absolute_url()),
        Page(ADMIN, "home (several destinations)", lambda: reverse("home")),
        Page(MEMBER, "team detail (member)", lambda: team_a().get_absolute_url()),
        Page(MEMBER, "monthly data (member)", lambda: reverse("measures:team-data", args=[team_a().pk])),
        Page(MEMBER, "month entry (member)", lambda: reverse(
            "measures:team-data-month", args=[team_a().pk, last_month()])),
        Page(MEMBER, "run charts (member)", lambda: reverse("reports:team-charts", args=[team_a().pk])),
        Page(ADVISOR, "run charts (advisor)", lambda: reverse("reports:team-charts", args=[team_a().pk])),
        Page(ADVISOR, "measure list", measure_list),
        Page(MEMBER, "measure list (member)", measure_list),
        Page(STATE, "measure list (state)", measure_list),
        Page(ADVISOR, "measure stratified (advisor)", lambda: stratified().get_absolute_url(),
             raw_measure=stratified, is_measure_page=True),
        Page(MEMBER, "measure stratified (member)", lambda: stratified().get_absolute_url(),
             is_measure_page=True),
        Page(STATE, "measure stratified (state)", lambda: stratified().get_absolute_url(),
             raw_measure=stratified, is_measure_page=True),
        Page(ADVISOR, "measure p-chart (advisor)", lambda: p_chart().get_absolute_url(),
             is_measure_page=True),
        Page(STATE, "measure p-chart (state)", lambda: p_chart().get_absolute_url(),
             is_measure_page=True),
        Page(ADVISOR, "measure run chart (advisor)", lambda: run_chart().get_absolute_url(),
             is_measure_page=True),
        Page(STATE, "measure run chart (state)", lambda: run_chart().get_absolute_url(),
             is_measure_page=True),
        Page(MEMBER, "PDSA cycles (member)", lambda: reverse("pdsa:cycle-list", args=[team_a().pk])),
        Page(MEMBER, "cycle detail (member)", lambda: reverse("pdsa:cycle-detail", args=[cycle_a().pk])),
        Page(MEMBER, "cycle with files (member)",
             lambda: reverse("pdsa:cycle-detail", args=[cycle_with_files().pk])),
        Page(MEMBER, "add a file (member)",
             lambda: reverse("pdsa:attachment-create", args=[cycle_with_files().pk])),
        Page(MEMBER, "events (member)",
             lambda: reverse("events:list", args=[team_a().pk, events_measure().pk])),
        Page(ADVISOR, "events (advisor)",
             lambda: reverse("events:list", args=[team_a().pk, events_measure().pk])),
        Page(MEMBER, "phases (member)", lambda: reverse(
            "phases:team", kwargs={"team_pk": team_a().pk, "pk": fidelity().pk})),
        Page(ADVISOR, "phases, pooled (advisor)",
             lambda: reverse("phases:pooled", args=[fidelity().pk])),
        Page(ADVISOR, "spread (advisor)", spread),
        Page(MEMBER, "spread (member)", spread),
        Page(STATE, "spread (state)", spread),
        Page(MEMBER, "team reports (member)", lambda: reverse("reports:team-reports", args=[team_a().pk])),
        Page(MEMBER, "report (member)", latest_report),
        Page(ADVISOR, "report (advisor)", latest_report),
        Page(ADVISOR, "month's reports (advisor)", month_query("reports:collaborative-reports")),
        Page(ADVISOR, "monthly summary (advisor)", month_query("reports:collaborative-summary")),
        Page(STATE, "monthly summary (state)", month_query("reports:collaborative-summary")),
        Page(ADVISOR, "driver diagram editor",
             lambda: reverse("collaboratives:framework", args=[first().pk])),
        Page(ADVISOR, "api chart data (advisor)", chart_data(stratified), raw_measure=stratified),
        Page(MEMBER, "api chart data (member)", chart_data(stratified)),
        Page(STATE, "api chart data (state)", chart_data(stratified), raw_measure=stratified),
        Page(ADVISOR, "api teams", lambda: reverse("api:team-list")),
        Page(ADVISOR, "api memberships", lambda: reverse("api:membership-list")),
        Page(ADVISOR, "api measures", lambda: reverse("api:measure-list")),
        Page(ADVISOR, "api pdsa cycles", lambda: reverse("api:pdsa-cycle-list")),
        Page(ADVISOR, "api change ideas", lambda: reverse("api:change-idea-list")),
        Page(ADVISOR, "api measure values", lambda: reverse("api:measure-value-list")),
        Page(MEMBER, "api measure values (member)", lambda: reverse("api:measure-value-list")),
        Page(ADVISOR, "api collaboratives", lambda: reverse("api:collaborative-list")),
        Page(ADVISOR, "api reports", lambda: reverse("api:report-list")),
        Page(MEMBER, "api reports (member)", lambda: reverse("api:report-list")),
    ]


def _client_for(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _get(client: Client, target: str, label: str) -> HttpResponse:
    response = client.get(target)
    if response.status_code != 200:
        raise RuntimeError(f"{label}: {target} answered {response.status_code}")
    return response


def page_query_counts(*, teams: int, months: int = 16) -> dict[str, tuple[int, int]]:
    """Seed the demo at this size and count the queries of each page for its persona:
    (cold, warm), i.e. right after clearing the cache and again at once. Clearing first
    makes each count independent of which pages ran before (a dashboard reads every
    measure's cached figures that a measure page may or may not have left)."""
    call_command("seed_demo", teams=teams, months=months, stdout=io.StringIO())
    counts = {}
    for page in pages():
        client = _client_for(page.username)
        target = page.url()
        measured = []
        cache.clear()
        for _visit in ("cold", "warm"):
            connection.queries_log.clear()  # the log keeps 9000 entries; seeding fills it
            with CaptureQueriesContext(connection) as queries:
                _get(client, target, page.label)
            measured.append(len(queries))
        counts[page.label] = (measured[0], measured[1])
    return counts


# --- Timings (scripts/bench.py) ---------------------------------------------------------

@dataclass
class PageTiming:
    label: str
    username: str
    url: str
    content_type: str
    queries: int        # warm, i.e. with whatever the page caches already cached
    queries_cold: int   # right after the cache was cleared
    cold_ms: float      # the first request for the page, cache cleared
    cpu_ms: float       # median of the timed runs after it
    cpu_runs_ms: list[float]
    bytes: int
    gzip_bytes: int
    is_measure_page: bool
    raw_ms: float | None = None  # median CPU of RAW_VALUES_SQL + fetchall for the same measure
    raw_rows: int | None = None

    @property
    def is_html(self) -> bool:
        return self.content_type.startswith("text/html")


def _cpu_ms(action: Callable[[], object]) -> tuple[float, object]:
    # process_time: the CPU this process spent (Python, templates, decoding rows), not the
    # time spent waiting for PostgreSQL, so it measures the server's own work.
    start = time.process_time()
    result = action()
    return (time.process_time() - start) * 1000, result


def raw_fetch_ms(measure_id: int, *, runs: int = 5, statements: list[str] | None = None
                 ) -> tuple[float, int]:
    """Median CPU ms of fetching a measure's rows with plain SQL (after one warm-up), and
    the number of rows; or, with ``statements``, the rows of each statement for that id."""

    def fetch() -> list:
        rows = []
        with connection.cursor() as cursor:
            for statement in statements or [RAW_VALUES_SQL]:
                cursor.execute(statement, [measure_id])
                rows += cursor.fetchall()
        return rows

    rows = fetch()
    samples = [_cpu_ms(fetch)[0] for _ in range(runs)]
    return statistics.median(samples), len(rows)


def page_timings(*, runs: int = 5, only: str | None = None) -> list[PageTiming]:
    """Time every page (or those whose label contains ``only``) on the database as it is,
    without seeding: one cold request right after clearing the cache, then ``runs`` timed
    ones. Counting queries slows a request, so queries are counted on separate requests."""
    selected = [p for p in pages() if not only or only.lower() in p.label.lower()]
    cache.clear()  # nothing left from another database or an earlier run
    clients = {username: _client_for(username) for username in {p.username for p in selected}}
    # The process's own first-request costs (URLconf, base templates, first connection)
    # would otherwise land on whichever page comes first.
    for client in clients.values():
        for name in ("collaboratives:list", "teams:list", "api:collaborative-list"):
            client.get(reverse(name))
    results = []
    for page in selected:
        target = page.url()
        request = functools.partial(_get, clients[page.username], target, page.label)
        cache.clear()
        gc.collect()
        cold_ms, response = _cpu_ms(request)
        samples = []
        for _run in range(runs):
            gc.collect()  # a collection left over from the last page is not this page's cost
            elapsed, response = _cpu_ms(request)
            samples.append(elapsed)
        with CaptureQueriesContext(connection) as warm:
            request()
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            request()
        body = response.content
        timing = PageTiming(
            label=page.label, username=page.username, url=target,
            content_type=response.get("Content-Type", ""), queries=len(warm),
            queries_cold=len(cold), cold_ms=cold_ms, cpu_ms=statistics.median(samples),
            cpu_runs_ms=samples, bytes=len(body),
            gzip_bytes=len(gzip.compress(body, compresslevel=6)),
            is_measure_page=page.is_measure_page,
        )
        if page.raw_measure is not None:
            timing.raw_ms, timing.raw_rows = raw_fetch_ms(page.raw_measure().pk, runs=runs)
        elif page.raw_collaborative is not None:
            timing.raw_ms, timing.raw_rows = raw_fetch_ms(page.raw_collaborative().pk, runs=runs,
                                                          statements=RAW_DASHBOARD_SQL)
        results.append(timing)
    return results


def timings_as_dicts(timings: list[PageTiming]) -> list[dict]:
    return [asdict(timing) for timing in timings]


def page_profile(label: str, *, cold: bool = False, top: int = 25) -> str:
    """cProfile of one request for the page with this label (after a warm-up request; with
    ``cold``, right after clearing the cache), the functions that took the most time."""
    import cProfile
    import pstats

    page = next((p for p in pages() if p.label == label), None)
    if page is None:
        raise ValueError(f"no page is labelled {label!r}")
    request = functools.partial(_get, _client_for(page.username), page.url(), page.label)
    request()
    if cold:
        cache.clear()
    profiler = cProfile.Profile()
    profiler.runcall(request)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()
