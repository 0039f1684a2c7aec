#!/usr/bin/env python
"""`make bench`: server CPU, queries and sizes of every main page, then page loads in Chromium.

    python scripts/bench.py [--sizes 10x12,200x24] [--only TEXT] [--runs 5] [--no-browser]
                            [--fresh] [--profile LABEL] [--reports 1000x24 | --no-reports]

Starts a throwaway PostgreSQL and Redis on loopback (scripts/services.sh, as `make test`
does), seeds `seed_demo --teams T --months M` for each size into a database of its own and
prints one table: queries, server CPU ms (time.process_time around django.test.Client,
median of --runs after a cold first request made right after clearing the cache), response
bytes and gzipped bytes, for every page in reports/benchmarks.py, with the goals and
PASS/MISS. Then it serves the largest size with gunicorn and times page loads in Chromium,
and times the monthly-report job at --reports (scripts/bench_reports.py).

Seeded databases are kept as dumps in var/bench/ (keyed by the apps' code, migrations and
demo seed included, and the date) and restored on the next run, which takes a second or
two instead of seeding again; --fresh seeds anyway. `make load` restores the same dump.

A measurement, not a test: it exits 0 when goals are missed (1 only when it cannot run).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import bench_reports  # beside this file

if TYPE_CHECKING:
    from playwright.sync_api import Page

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
CACHE_DIR = REPO / "var" / "bench"
PG_BIN_DIR = Path("/usr/lib/postgresql/15/bin")
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "bsc-demo-2026"  # seed_demo's

# Goals, checked at the largest size (the query count: the same at every size).
GOAL_PAGE_CPU_MS = 150
GOAL_MEASURE_CPU_MS = 100
GOAL_RAW_RATIO = 2.0
GOAL_HTML_BYTES = 100_000
GOAL_USABLE_MS = 1500
GOAL_DOM_NODES = 15_000


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- Environment, services, databases -------------------------------------------------------

def base_env(tmp: Path) -> dict[str, str]:
    """What scripts/test.sh exports, for DJANGO_DEBUG=false on plain-http loopback."""
    static_root = tmp / "static"
    static_root.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)  # each step names its own database
    env.update(
        DJANGO_SETTINGS_MODULE="bsc_portal.settings",
        DJANGO_DEBUG="false",
        SECRET_KEY="bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
        DJANGO_ALLOWED_HOSTS="testserver,localhost,127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",          # browsers drop Secure cookies over http
        STATIC_MANIFEST="false",         # WhiteNoise serves from the finders: no collectstatic
        STATIC_ROOT=str(static_root),    # empty, but present: no "No directory at" warning
        CELERY_TASK_ALWAYS_EAGER="true",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class Services:
    """A throwaway PostgreSQL and Redis from scripts/services.sh, in their own temp dir."""

    directory: Path
    pg_port: int
    redis_port: int
    env: dict[str, str] = field(default_factory=dict)

    def database_url(self, name: str, *, socket_if_possible: bool = False) -> str:
        # The Unix socket saves a little per query, which adds up when seeding.
        socket_dir = self.directory / "pg-socket"
        if socket_if_possible and (socket_dir / f".s.PGSQL.{self.pg_port}").exists():
            host = urllib.parse.quote(str(socket_dir), safe="")
            return f"postgres://bsc@{host}:{self.pg_port}/{name}"
        return f"postgres://bsc@127.0.0.1:{self.pg_port}/{name}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def flush_cache(self) -> None:
        import redis  # in the venv with Django (the cache backend's client)

        # The cache's own database (settings: the broker's next), not the broker's.
        redis.Redis(host="127.0.0.1", port=self.redis_port, db=1).flushdb()

    def sql(self, *statements: str) -> None:
        import psycopg2  # in the venv with Django; imported late so --help needs nothing

        connection = psycopg2.connect(host="127.0.0.1", port=self.pg_port, user="bsc", dbname="bsc")
        connection.autocommit = True  # CREATE/DROP DATABASE refuse to run in a transaction
        try:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        finally:
            connection.close()


@contextlib.contextmanager
def services(tmp: Path) -> Iterator[Services]:
    directory = tmp / "services"
    directory.mkdir()
    pg_port, redis_port = free_ports(2)
    env = {**os.environ, "BSC_SERVICES_DIR": str(directory), "BSC_PG_PORT": str(pg_port),
           "BSC_REDIS_PORT": str(redis_port), "BSC_PG_FAST": "1"}
    log(f"starting PostgreSQL on :{pg_port} and Redis on :{redis_port}")
    try:
        subprocess.run(["bash", "scripts/services.sh", "start"], cwd=REPO, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        yield Services(directory, pg_port, redis_port, env)
    finally:
        log("stopping PostgreSQL and Redis")
        subprocess.run(["bash", "scripts/services.sh", "stop"], cwd=REPO, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d+)\s*x\s*(\d+)\s*", part)
        if not match:
            raise argparse.ArgumentTypeError(f"size {part!r}: write TEAMSxMONTHS, e.g. 200x24")
        sizes.append((int(match[1]), int(match[2])))
    return sizes


def size_name(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def _pg_tool(name: str) -> str:
    # The server is 15; Debian's /usr/bin wrappers may pick another installed version.
    if (PG_BIN_DIR / name).exists():
        return str(PG_BIN_DIR / name)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found")
    return found


def _fingerprint(size: tuple[int, int]) -> str:
    """What the seeded data depends on: the apps' code (models, migrations, services and
    signals that run while seeding, the demo seed itself) and the date (seed_demo writes
    values up to last month and dates cycles by today)."""
    digest = hashlib.sha256()
    files = sorted(path for app in ("collaboratives", "teams", "measures", "pdsa", "reports")
                   for path in (REPO / app).rglob("*.py"))
    for path in files:
        digest.update(str(path.relative_to(REPO)).encode())
        digest.update(path.read_bytes())
    today = datetime.datetime.now(ZoneInfo(os.environ.get("TIME_ZONE", "America/New_York"))).date()
    digest.update(f"{size}|{today}".encode())
    return digest.hexdigest()


def cached_dump(size: tuple[int, int]) -> Path | None:
    dump = CACHE_DIR / f"bsc-{size_name(size)}.dump"
    stamp = dump.with_suffix(".sha256")
    if dump.exists() and stamp.exists() and stamp.read_text().strip() == _fingerprint(size):
        return dump
    return None


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise RuntimeError(f"{what} failed (exit {done.returncode})")


@dataclass
class Prepared:
    database: str
    how: str        # "seeded" or "restored"
    seconds: float


def prepare_databases(svc: Services, env: dict[str, str], sizes: list[tuple[int, int]], *,
                      prefix: str = "bench", fresh: bool = False) -> dict[tuple[int, int], Prepared]:
    """A database per size: restored from var/bench/ when a dump for exactly this code and
    date is there, else migrated (once, into a template) and seeded, every size at once."""
    prepared: dict[tuple[int, int], Prepared] = {}
    to_seed = []
    for size in sizes:
        name = f"{prefix}_{size_name(size)}"
        svc.sql(f"DROP DATABASE IF EXISTS {name}")
        dump = None if fresh else cached_dump(size)
        if dump is None:
            to_seed.append((size, name))
            continue
        started = time.monotonic()
        svc.sql(f"CREATE DATABASE {name}")
        _run([_pg_tool("pg_restore"), "--no-owner", "-j", "2", "-h", "127.0.0.1",
              "-p", str(svc.pg_port), "-U", "bsc", "-d", name, str(dump)], env, f"restoring {dump}")
        prepared[size] = Prepared(name, f"restored from {dump.relative_to(REPO)}",
                                  time.monotonic() - started)
        log(f"{size_name(size)}: restored from {dump.relative_to(REPO)} "
            f"in {prepared[size].seconds:.1f} s")
    if not to_seed:
        return prepared

    to_seed.sort(key=lambda item: item[0][0] * item[0][1])  # waited for in this order
    fingerprints = {size: _fingerprint(size) for size, _name in to_seed}  # the code seeded with
    started = time.monotonic()
    svc.sql(f"DROP DATABASE IF EXISTS {prefix}_template", f"CREATE DATABASE {prefix}_template")
    _run([PY, "manage.py", "migrate", "--noinput", "-v", "0"],
         {**env, "DATABASE_URL": svc.database_url(f"{prefix}_template", socket_if_possible=True)},
         "migrate")
    log(f"migrated a template database in {time.monotonic() - started:.1f} s")
    running = []
    for size, name in to_seed:
        # A copy of the migrated template is instant; migrating each would take seconds.
        svc.sql(f"CREATE DATABASE {name} TEMPLATE {prefix}_template")
        command = [PY, "manage.py", "seed_demo", "--teams", str(size[0]), "--months", str(size[1])]
        seed_env = {**env, "DATABASE_URL": svc.database_url(name, socket_if_possible=True)}
        log(f"{size_name(size)}: seeding ({' '.join(command[1:])})")
        running.append((size, name, time.monotonic(),
                        subprocess.Popen(command, cwd=REPO, env=seed_env, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE, text=True)))
    try:
        for size, name, began, process in running:
            _out, err = process.communicate()
            if process.returncode != 0:
                sys.stderr.write(err[-4000:])
                raise RuntimeError(f"seed_demo {size_name(size)} failed (exit {process.returncode})")
            seconds = time.monotonic() - began
            together = " (alongside the other sizes)" if len(running) > 1 else ""
            prepared[size] = Prepared(name, f"seeded{together}", seconds)
            log(f"{size_name(size)}: seeded in {seconds:.1f} s")
    finally:
        for _size, _name, _began, process in running:
            if process.poll() is None:
                process.kill()
                process.wait()
    svc.sql(f"DROP DATABASE IF EXISTS {prefix}_template")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    for size, name in to_seed:
        dump = CACHE_DIR / f"bsc-{size_name(size)}.dump"
        partial = dump.with_suffix(".partial")
        dump.with_suffix(".sha256").unlink(missing_ok=True)
        _run([_pg_tool("pg_dump"), "-Fc", "-Z", "1", "--no-owner", "-h", "127.0.0.1",
              "-p", str(svc.pg_port), "-U", "bsc", "-f", str(partial), name], env, f"dumping {name}")
        partial.replace(dump)  # an interrupted dump never passes for a whole one
        dump.with_suffix(".sha256").write_text(fingerprints[size] + "\n")
    return prepared


# --- gunicorn -------------------------------------------------------------------------------

def _http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # loopback only
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@dataclass
class Server:
    base: str
    logfile: Path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])


def _static_missing(base: str) -> list[str]:
    """The stylesheets and scripts the sign-in page links to that do not answer 200."""
    with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5) as response:  # loopback
        html = response.read().decode()
    assets = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', html)) | {"/static/js/charts.js"}
    return [asset for asset in sorted(assets) if _http_status(base + asset) != 200]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], tmp: Path, *, workers: int = 2) -> Iterator[Server]:
    """gunicorn with sync workers on a free loopback port. STATIC_MANIFEST=false makes the
    settings turn WHITENOISE_USE_FINDERS on, so WhiteNoise serves the app folders without
    collectstatic; if static files do not answer all the same, collectstatic fills the
    (temporary) STATIC_ROOT and gunicorn starts again."""
    for attempt in (1, 2):
        (port,) = free_ports(1)
        server = Server(f"http://127.0.0.1:{port}", tmp / f"gunicorn-{port}.log")
        command = [str(Path(PY).with_name("gunicorn")), "bsc_portal.wsgi", "-b", f"127.0.0.1:{port}",
                   "-w", str(workers), "--timeout", "60",
                   # Its default socket is one per machine user: it would clobber `make up`'s.
                   "--no-control-socket"]
        log(f"starting gunicorn ({workers} workers) on {server.base}")
        with server.logfile.open("w") as output:
            # Django logs a failing request's traceback to stderr: keep it for the report.
            process = subprocess.Popen(command, cwd=REPO, env=env, stdout=output,
                                       stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{server.log_tail()}")
                with contextlib.suppress(OSError):
                    if _http_status(f"{server.base}/accounts/login/") == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer in 30 s:\n{server.log_tail()}")
                time.sleep(0.2)
            missing = _static_missing(server.base)
            if not missing:
                yield server
                return
            if attempt == 2:
                raise RuntimeError(f"static files not served even after collectstatic: {missing}")
            log(f"static files not served ({', '.join(missing)}): running collectstatic")
        finally:
            process.terminate()  # gunicorn's master stops its workers on SIGTERM
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        _run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env, "collectstatic")


# --- Server table ---------------------------------------------------------------------------

def measure_size(env: dict[str, str], svc: Services, database: str, *, runs: int,
                 only: str | None, tmp: Path, profile: str | None = None) -> list[dict]:
    """Time the pages in a process of its own: settings are read from the environment once."""
    out = tmp / f"{database}.json"
    command = [PY, str(Path(__file__).resolve()), "--child-database", database, "--runs", str(runs),
               "--child-out", str(out)] + (["--only", only] if only else []) + (
               ["--profile", profile] if profile else [])
    child_env = {**env, "DATABASE_URL": svc.database_url(database), "REDIS_URL": svc.redis_url}
    subprocess.run(command, cwd=REPO, env=child_env, check=True)
    return json.loads(out.read_text())


def child_measure(database: str, runs: int, only: str | None, out: Path, profile: str | None) -> None:
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from reports.benchmarks import page_profile, page_timings, timings_as_dicts

    if profile:
        for cold in (False, True):
            title = f"{database}: cProfile of {profile!r}, {'cold (cache cleared)' if cold else 'warm'}"
            # stderr: the tables on stdout stay as they are.
            print(f"\n{title}\n{page_profile(profile, cold=cold)}", file=sys.stderr)

    started = time.monotonic()
    timings = page_timings(runs=runs, only=only)
    out.write_text(json.dumps(timings_as_dicts(timings)))
    log(f"{database}: timed {len(timings)} pages in {time.monotonic() - started:.0f} s")


def _goal_misses(by_size: dict[str, dict], largest: str) -> list[str]:
    """The goals hold at the largest size; only the query count is compared across sizes."""
    misses = []
    if len({row["queries"] for row in by_size.values()}) > 1:
        misses.append("queries grow")
    row = by_size.get(largest)
    if row is None:
        return misses
    if row["is_measure_page"] and row["cpu_ms"] > GOAL_MEASURE_CPU_MS:
        misses.append(f"CPU>{GOAL_MEASURE_CPU_MS}")
    elif row["cpu_ms"] > GOAL_PAGE_CPU_MS:
        misses.append(f"CPU>{GOAL_PAGE_CPU_MS}")
    if row["content_type"].startswith("text/html") and row["bytes"] > GOAL_HTML_BYTES:
        misses.append(f"HTML>{GOAL_HTML_BYTES // 1000}kB")
    if row["raw_ms"] and row["cpu_ms"] / row["raw_ms"] > GOAL_RAW_RATIO:
        misses.append(f">{GOAL_RAW_RATIO:g}x raw SQL")
    return misses


def print_server_table(results: dict[str, list[dict]], prepared: dict[str, Prepared], runs: int) -> int:
    """One table, every size side by side; returns the number of rows that miss a goal."""
    sizes = list(results)
    labels = [row["label"] for row in results[sizes[0]]]
    rows = {size: {row["label"]: row for row in results[size]} for size in sizes}
    width = max(len(label) for label in [*labels, "page (persona)"])
    column = max(7, *(len(size) for size in sizes))

    def group(title: str) -> str:
        span = len(sizes) * (column + 1) - 1
        return f"{title:^{span}.{span}}"

    metrics = [("queries", "queries"), ("cpu_ms", "CPU ms"),
               ("cold_ms", "cold ms"), ("bytes", "kB"), ("gzip_bytes", "gzip kB")]
    print()
    print("Server: django.test.Client in one process, DJANGO_DEBUG=false, PostgreSQL + Redis on "
          "loopback.")
    for size in sizes:
        print(f"  {size}: {prepared[size].how} in {prepared[size].seconds:.1f} s")
    print("\n".join([
        f"Goals, at {sizes[-1]}: the same queries as at every other size; CPU <= {GOAL_PAGE_CPU_MS} ms "
        f"for any page, <= {GOAL_MEASURE_CPU_MS} ms for a measure page;",
        f"the stratified measure page and the chart-data aggregate <= {GOAL_RAW_RATIO:g}x a raw SQL "
        f"fetch of their rows; HTML <= {GOAL_HTML_BYTES // 1000} kB before compression.",
        f"CPU ms = median of {runs} after the cold request; cold = the first request right after "
        "clearing the cache;",
        "queries a/b = warm/cold when they differ; kB = 1000 bytes, uncompressed and gzip -6.",
    ]))
    print(" " * width + "  " + "  ".join(group(title) for _key, title in metrics))
    print(f"{'page (persona)':<{width}}  " + "  ".join(
        " ".join(f"{size:>{column}}" for size in sizes) for _metric in metrics) + "  goals")
    misses_total = 0
    for label in labels:
        cells = []
        for key, _title in metrics:
            values = []
            for size in sizes:
                row = rows[size].get(label)
                if row is None:
                    values.append(f"{'-':>{column}}")
                elif key == "queries":
                    text = str(row["queries"])
                    if row["queries_cold"] != row["queries"]:
                        text += f"/{row['queries_cold']}"
                    values.append(f"{text:>{column}}")
                elif key in ("bytes", "gzip_bytes"):
                    values.append(f"{row[key] / 1000:>{column}.1f}")
                else:
                    values.append(f"{row[key]:>{column}.1f}")
            cells.append(" ".join(values))
        by_size = {size: rows[size][label] for size in sizes if label in rows[size]}
        misses = _goal_misses(by_size, sizes[-1])
        misses_total += bool(misses)
        print(f"{label:<{width}}  " + "  ".join(cells) + "  "
              + ("MISS " + ", ".join(misses) if misses else "PASS"))

    print()
    print(f"Server CPU against a raw SQL fetch of the same rows (goal at {sizes[-1]}: warm <= "
          f"{GOAL_RAW_RATIO:g}x; the cold ratio, cache cleared, is for information):")
    print("  SQL: SELECT team_id, month, stratum_id, numerator, denominator FROM "
          f"measures_measurevalue WHERE measure_id = %s; fetchall(); CPU ms, median of {runs}")
    print(f"  {'page (persona)':<{width}}  {'size':>7}  {'rows':>7}  {'raw ms':>7}  {'page ms':>8}  "
          f"{'ratio':>7}  {'cold ms':>8}  {'cold ratio':>10}  goal")
    for label in labels:
        for size in sizes:
            row = rows[size].get(label)
            if not row or not row["raw_ms"]:
                continue
            ratio, cold = row["cpu_ms"] / row["raw_ms"], row["cold_ms"] / row["raw_ms"]
            verdict = ("PASS" if ratio <= GOAL_RAW_RATIO else "MISS") if size == sizes[-1] else "-"
            print(f"  {label:<{width}}  {size:>7}  {row['raw_rows']:>7}  {row['raw_ms']:>7.1f}  "
                  f"{row['cpu_ms']:>8.1f}  {ratio:>6.1f}x  {row['cold_ms']:>8.1f}  {cold:>9.1f}x  "
                  f"{verdict}")
    return misses_total


# --- Browser --------------------------------------------------------------------------------

# Installed before any page script: long tasks, and when the first chart is drawn (the
# frame after plotly's first <svg> lands inside a [data-figure] element).
INIT_SCRIPT = """
(() => {
  const bench = window.__bench = {longtasks: [], firstChart: null};
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) bench.longtasks.push([entry.startTime, entry.duration]);
    }).observe({type: "longtask", buffered: true});
  } catch (error) { bench.error = String(error); }
  const seen = () => document.querySelector("[data-figure] svg, .chart svg, .js-plotly-plot svg");
  const observer = new MutationObserver(() => {
    if (bench.firstChart === null && seen()) {
      bench.firstChart = -1;
      observer.disconnect();
      requestAnimationFrame(() => { bench.firstChart = performance.now(); });
    }
  });
  observer.observe(document, {childList: true, subtree: true});
})();
"""

STATE_JS = """() => {
  const nav = performance.getEntriesByType("navigation")[0] || {};
  return {now: performance.now(), longtasks: window.__bench.longtasks,
          firstChart: window.__bench.firstChart, error: window.__bench.error || null,
          hasCharts: !!document.querySelector("[data-figure]"),
          domContentLoaded: nav.domContentLoadedEventEnd || 0, load: nav.loadEventEnd || 0,
          nodes: document.getElementsByTagName("*").length};
}"""


@dataclass
class Load:
    status: int
    first_chart_ms: float | None = None
    usable_ms: float = 0.0
    longtask_ms: float = 0.0
    longtasks: int = 0
    nodes: int = 0


def _one_load(page: Page, url: str, quiet_ms: int, cap_s: float) -> Load:
    response = page.goto(url, wait_until="load", timeout=60_000)
    status = response.status if response else 0
    if status != 200:
        log(f"{url} answered HTTP {status}")
        return Load(status)
    deadline = time.monotonic() + cap_s
    while True:
        state = page.evaluate(STATE_JS)
        ends = [start + duration for start, duration in state["longtasks"]]
        last_busy = max([*ends, state["load"]])
        chart_pending = state["hasCharts"] and (state["firstChart"] is None or state["firstChart"] < 0)
        if not chart_pending and state["now"] - last_busy >= quiet_ms:
            break
        if time.monotonic() > deadline:
            log(f"{url}: no {quiet_ms} ms of quiet within {cap_s:.0f} s; taking what there is")
            break
        time.sleep(0.2)
    first_chart = state["firstChart"] if state["hasCharts"] and state["firstChart"] else None
    # Usable: the main thread is free (end of the last long task), the page has loaded
    # (DOMContentLoaded) and its first chart is on screen.
    usable = max([*ends, state["domContentLoaded"], first_chart or 0])
    return Load(status, first_chart, usable, sum(d for _s, d in state["longtasks"]),
                len(state["longtasks"]), state["nodes"])


def browser_bench(base: str, targets: dict[str, tuple[str, str]], *, loads: int = 3,
                  quiet_ms: int = 3000) -> list[tuple[str, list[Load]]]:
    """Median-of-``loads`` page loads in Debian's Chromium, signed in through the form."""
    from playwright.sync_api import sync_playwright

    by_user: dict[str, list[str]] = {}
    for label, (username, _url) in targets.items():
        by_user.setdefault(username, []).append(label)
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            for username, labels in by_user.items():
                context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
                context.add_init_script(INIT_SCRIPT)
                page = context.new_page()
                page.goto(f"{base}/accounts/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(lambda url: "/accounts/login/" not in url)
                for label in labels:
                    url = base + targets[label][1]
                    runs = [_one_load(page, url, quiet_ms, cap_s=30) for _ in range(loads)]
                    results.append((label, runs))
                    log(f"browser: {label} done")
                context.close()
        finally:
            browser.close()
    return results


# The pages loaded in Chromium, by their labels in reports/benchmarks.py.
BROWSER_PAGES = ["measure stratified (advisor)", "measure stratified (state)", "collaborative detail",
                 "collaborative detail (state)", "run charts (advisor)", "cohort dashboard",
                 "state dashboard (state)", "team detail (member)", "cycles across teams",
                 "run charts (member)", "events (member)", "cycle with files (member)"]


def browser_targets(env: dict[str, str], svc: Services, database: str) -> dict[str, tuple[str, str]]:
    """label: (username, URL) of the pages to load, looked up as reports/benchmarks.py does."""
    code = (
        "import json, django; django.setup()\n"
        "from reports.benchmarks import pages\n"
        f"wanted = {BROWSER_PAGES!r}\n"
        "print(json.dumps({p.label: [p.username, p.url()] for p in pages() if p.label in wanted}))\n"
    )
    done = subprocess.run([PY, "-c", code], cwd=REPO, capture_output=True, text=True, check=False,
                          env={**env, "DATABASE_URL": svc.database_url(database),
                               "REDIS_URL": svc.redis_url})
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise RuntimeError("could not look up the pages to load in the browser")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return {label: tuple(found[label]) for label in BROWSER_PAGES if label in found}


def print_browser_table(results: list[tuple[str, list[Load]]], size: str, loads: int) -> int:
    def med(values: list[float]) -> float:
        return statistics.median(values)

    print()
    print(f"Browser: Chromium (headless) against gunicorn (2 workers) on loopback, {size}, "
          f"median of {loads} loads.")
    print(f"Goals: usable within {GOAL_USABLE_MS} ms of navigation start; fewer than "
          f"{GOAL_DOM_NODES:,} DOM nodes. usable = the later of DOMContentLoaded, the first chart\n"
          "drawn and the end of the last long task (3 s of quiet after it).")
    width = max(len(label) for label, _runs in results)
    print(f"{'page (persona)':<{width}}  {'first chart ms':>14}  {'usable ms':>9}  "
          f"{'long tasks ms':>13}  {'(count)':>7}  {'DOM nodes':>9}  goals")
    missed = 0
    for label, all_runs in results:
        runs = [run for run in all_runs if run.status == 200]
        if not runs:
            missed += 1
            statuses = ", ".join(str(run.status) for run in all_runs)
            print(f"{label:<{width}}  {'':>14}  {'':>9}  {'':>13}  {'':>7}  {'':>9}  "
                  f"MISS answered HTTP {statuses}")
            continue
        charts = [run.first_chart_ms for run in runs if run.first_chart_ms is not None]
        usable = med([run.usable_ms for run in runs])
        nodes = int(med([run.nodes for run in runs]))
        misses = []
        if usable > GOAL_USABLE_MS:
            misses.append(f"usable>{GOAL_USABLE_MS}")
        if nodes >= GOAL_DOM_NODES:
            misses.append(f"nodes>={GOAL_DOM_NODES}")
        failed = [str(run.status) for run in all_runs if run.status != 200]
        if failed:
            misses.append(f"{len(failed)} of {len(all_runs)} loads answered HTTP {', '.join(failed)}")
        missed += bool(misses)
        chart = f"{med(charts):.0f}" if charts else "no chart"
        print(f"{label:<{width}}  {chart:>14}  {usable:>9.0f}  "
              f"{med([run.longtask_ms for run in runs]):>13.0f}  "
              f"{int(med([run.longtasks for run in runs])):>7}  {nodes:>9}  "
              + ("MISS " + ", ".join(misses) if misses else "PASS"))
    return missed


# --- Main -----------------------------------------------------------------------------------

def stop_on_signals() -> None:
    # SIGTERM (make, CI) unwinds like Ctrl-C, so every `finally` stops what it started.
    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)


def report_job(svc: Services, env: dict[str, str], size: tuple[int, int], tmp: Path, *,
               fresh: bool) -> None:
    """Time the monthly-report job at ``size``: 200 reports in one process, then every team's
    by two Celery workers through Redis."""
    database = prepare_databases(svc, env, [size], fresh=fresh)[size].database
    child_env = {**env, "DATABASE_URL": svc.database_url(database), "REDIS_URL": svc.redis_url}
    out = tmp / "reports.json"
    subprocess.run([PY, str(Path(__file__).resolve()), "--child-reports", "200", "--child-out", str(out)],
                   cwd=REPO, env=child_env, check=True)
    bench_reports.print_table(size_name(size), json.loads(out.read_text()),
                              bench_reports.worker_run(child_env))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes("10x12,200x24"),
                        help="Demo sizes as TEAMSxMONTHS, comma-separated (default 10x12,200x24).")
    parser.add_argument("--only", help="Only the pages whose label contains this text.")
    parser.add_argument("--runs", type=int, default=5, help="Timed requests per page (default 5).")
    parser.add_argument("--no-browser", action="store_true", help="Skip the Chromium step.")
    parser.add_argument("--fresh", action="store_true",
                        help="Seed even when var/bench/ holds a dump of the same data.")
    parser.add_argument("--profile", metavar="LABEL",
                        help="Also print a cProfile of one warm and one cold request of the page with "
                             "exactly this label, at each size.")
    parser.add_argument("--reports", type=lambda text: parse_sizes(text)[0], default=(1000, 24),
                        metavar="TEAMSxMONTHS",
                        help="Size at which to time the monthly-report job (default 1000x24).")
    parser.add_argument("--no-reports", action="store_true", help="Skip the monthly-report job.")
    parser.add_argument("--child-reports", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-database", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child_reports:
        args.child_out.write_text(json.dumps(bench_reports.child_rate(args.child_reports)))
        return 0
    if args.child_database:
        child_measure(args.child_database, args.runs, args.only, args.child_out, args.profile)
        return 0

    stop_on_signals()
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="bsc-bench."))
    tmp.chmod(0o711)  # as root, PostgreSQL runs as `postgres` and must reach its data dir
    try:
        env = base_env(tmp)
        with services(tmp) as svc:
            env["REDIS_URL"] = svc.redis_url
            prepared = prepare_databases(svc, env, args.sizes, fresh=args.fresh)
            results, by_name = {}, {}
            for size in sorted(args.sizes, key=lambda size: size[0] * size[1]):
                name = size_name(size)
                log(f"{name}: timing pages")
                results[name] = measure_size(env, svc, prepared[size].database, runs=args.runs,
                                             only=args.only, tmp=tmp, profile=args.profile)
                by_name[name] = prepared[size]
            if not next(iter(results.values())):
                log(f"no page label contains {args.only!r}")
                return 1
            print_server_table(results, by_name, args.runs)
            sys.stdout.flush()
            if not args.no_browser:
                largest = max(args.sizes, key=lambda size: size[0] * size[1])
                database = prepared[largest].database
                targets = browser_targets(env, svc, database)
                if args.only:
                    targets = {k: v for k, v in targets.items() if args.only.lower() in k.lower()}
                if targets:
                    svc.flush_cache()  # each page's first load is a cold one, the others warm
                    serve_env = {**env, "DATABASE_URL": svc.database_url(database)}
                    with gunicorn(serve_env, tmp) as server:
                        loads = browser_bench(server.base, targets)
                        if any(run.status != 200 for _label, runs in loads for run in runs):
                            log(f"gunicorn's log, last lines:\n{server.log_tail()}")
                    print_browser_table(loads, size_name(largest), 3)
            if not args.no_reports:
                report_job(svc, env, args.reports, tmp, fresh=args.fresh)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        log(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, subprocess.CalledProcessError) as error:
        log(f"error: {error}")
        sys.exit(1)
    except KeyboardInterrupt:
        log("interrupted")
        sys.exit(130)
