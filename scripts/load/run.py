#!/usr/bin/env python
"""`make load`: locust against gunicorn + PostgreSQL + Redis on loopback, 200 teams x 24 months.

    python scripts/load/run.py [--users 20] [--seconds 60] [--size 200x24] [--fresh]

Starts a throwaway PostgreSQL and Redis (scripts/services.sh), restores the database that
`make bench` left in var/bench/ (or seeds one), serves it with gunicorn (2 sync workers;
REDIS_URL set, so the cache and the Celery broker are Redis) and runs
scripts/load/locustfile.py headless. Prints p50/p95/p99 per page and the errors, against
the goal: p95 <= 300 ms and no errors. Stops by itself and cleans up after itself.
Exits 0 when the goal is missed (a measurement, not a test), 1 when it cannot run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench  # scripts/bench.py: services, databases, gunicorn

GOAL_P95_MS = 300
HERE = Path(__file__).resolve().parent

# Looks up, in the seeded database, the URLs the scenario uses and one member per team.
PERSONAS = """
import datetime, json, django
django.setup()
from django.urls import reverse
from django.utils import timezone
from collaboratives.models import Collaborative
from measures.models import Measure
from teams.models import Membership

users = {users}
collaborative = Collaborative.objects.get(state="NC")
measures = Measure.objects.filter(collaborative=collaborative).order_by("order", "pk")
kinds = {{
    "stratified": measures.exclude(stratification="").first(),
    "p-chart": measures.filter(chart_kind=Measure.ChartKind.P, stratification="").first(),
    "run chart": measures.filter(chart_kind=Measure.ChartKind.RUN, stratification="").first(),
}}
month = timezone.localdate().replace(day=1)  # this month: the seed leaves it to be entered
members, seen = [], set()
for username, team_id in (Membership.objects.filter(team__collaborative=collaborative)
                          .order_by("team_id", "user__username")
                          .values_list("user__username", "team_id")):
    if team_id in seen or len(members) >= users:
        continue
    seen.add(team_id)
    members.append({{
        "username": username, "team": reverse("teams:detail", args=[team_id]),
        "charts": reverse("reports:team-charts", args=[team_id]),
        "month": reverse("measures:team-data-month", args=[team_id, month]),
        "cycle_new": reverse("pdsa:cycle-create", args=[team_id]),
    }})
print(json.dumps({{
    "password": "{password}", "advisors": ["advisor", "coach"], "state": "state",
    "collaborative": collaborative.get_absolute_url(),
    "collaborative_list": reverse("collaboratives:list"),
    "measure_list": reverse("measures:list", args=[collaborative.pk]),
    "spread": reverse("pdsa:spread", args=[collaborative.pk]),
    "measures": {{kind: m.get_absolute_url() for kind, m in kinds.items() if m}},
    "members": members,
}}))
"""


def personas(env: dict[str, str], users: int) -> dict:
    code = PERSONAS.format(users=users, password=bench.PASSWORD)
    done = subprocess.run([bench.PY, "-c", code], cwd=bench.REPO, env=env, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise RuntimeError("could not look up the load-test users")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_locust(base: str, data_file: Path, out: Path, tmp: Path, *, users: int, seconds: int) -> None:
    locust = Path(bench.PY).with_name("locust")
    if not locust.exists():
        raise RuntimeError("locust is not installed: .venv/bin/pip install -r requirements/bench.txt "
                           "(`make load` does it)")
    env = {**os.environ, "BSC_LOAD_DATA": str(data_file), "BSC_LOAD_OUT": str(out),
           "BSC_LOAD_SECONDS": str(seconds), "BSC_LOAD_USERS": str(users)}
    logfile = tmp / "locust.log"
    # -t is only a backstop: the locustfile stops `seconds` after everyone has signed in.
    command = [str(locust), "-f", str(HERE / "locustfile.py"), "--headless", "--host", base,
               "-u", str(users), "-r", "5", "-t", f"{seconds + 90}s", "--stop-timeout", "10",
               "--only-summary", "--loglevel", "WARNING"]
    bench.log(f"locust: {users} users for {seconds} s after signing in")
    with logfile.open("w") as log:
        done = subprocess.run(command, cwd=bench.REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                              timeout=seconds + 180, check=False)
    if not out.exists():
        sys.stderr.write(logfile.read_text()[-4000:])
        raise RuntimeError(f"locust wrote no results (exit {done.returncode})")


def print_results(result: dict, *, users: int, size: str) -> None:
    rows = [row for row in result["rows"] if row["requests"] or row["failures"]]
    total = result["total"]
    logins = result["logins"]
    print()
    print(f"Load: locust, {users} users (think time 1-3 s), {result['window_s']:.0f} s measured after "
          f"all signed in, gunicorn 2 sync workers, PostgreSQL + Redis, {size}, loopback.")
    print(f"Goal: p95 <= {GOAL_P95_MS} ms for every page, 0 errors.")
    width = max([len(row["name"]) for row in rows] + [len("page")])
    print(f"{'page':<{width}}  {'reqs':>5}  {'errors':>6}  {'p50 ms':>7}  {'p95 ms':>7}  "
          f"{'p99 ms':>7}  {'max ms':>7}  goal")
    missed = 0
    for row in rows:
        ok = row["p95"] <= GOAL_P95_MS and row["failures"] == 0
        missed += not ok
        print(f"{row['name']:<{width}}  {row['requests']:>5}  {row['failures']:>6}  {row['p50']:>7.0f}  "
              f"{row['p95']:>7.0f}  {row['p99']:>7.0f}  {row['max']:>7.0f}  {'PASS' if ok else 'MISS'}")
    total_ok = total["p95"] <= GOAL_P95_MS and total["failures"] == 0
    print(f"{'all':<{width}}  {total['requests']:>5}  {total['failures']:>6}  {total['p50']:>7.0f}  "
          f"{total['p95']:>7.0f}  {total['p99']:>7.0f}  {'':>7}  {'PASS' if total_ok else 'MISS'}")
    print(f"throughput {total['rps']:.1f} requests/s")
    failed_logins = [login["username"] for login in logins if not login["ok"]]
    times = [login["ms"] for login in logins]
    if times:
        print(f"sign-in (before the window): {len(logins)} users, median {statistics.median(times):.0f} "
              f"ms, slowest {max(times):.0f} ms, failed: {', '.join(failed_logins) or 'none'}")
    errors = total["failures"] + len(failed_logins)
    print(f"errors: {errors}")
    for error in result["errors"]:
        print(f"  {error['occurrences']:>4} x {error['method']} {error['name']}: {error['error']}")
    verdict = "PASS" if total_ok and not missed and not failed_logins else f"MISS ({missed} pages)"
    print(f"=> {verdict}: goal p95 <= {GOAL_P95_MS} ms for every page, 0 errors. Percentiles are "
          "locust's (2 significant digits above 100 ms); a page with few requests has p95 ~ max.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60, help="Measured window (default 60).")
    parser.add_argument("--size", type=bench.parse_sizes, default=bench.parse_sizes("200x24"))
    parser.add_argument("--fresh", action="store_true", help="Seed even when var/bench/ has a dump.")
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= 600 or not 3 <= args.users <= 200:
        parser.error("--seconds must be 1-600 and --users 3-200")

    bench.stop_on_signals()
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="bsc-load."))
    tmp.chmod(0o711)  # as root, PostgreSQL runs as `postgres` and must reach its data dir
    try:
        env = bench.base_env(tmp)
        # Capacity, not politeness: a locust user is faster than any person, and the API's
        # per-user rate limits would turn the measurement into 429s.
        env.setdefault("API_THROTTLE_USER_BURST", "off")
        env.setdefault("API_THROTTLE_USER", "off")
        with bench.services(tmp) as svc:
            env["REDIS_URL"] = svc.redis_url
            size = args.size[0]
            prepared = bench.prepare_databases(svc, env, [size], prefix="load", fresh=args.fresh)[size]
            env["DATABASE_URL"] = svc.database_url(prepared.database)
            data = personas(env, args.users)
            if len(data["members"]) < args.users:
                raise RuntimeError(f"only {len(data['members'])} teams to draw members from")
            data_file, out = tmp / "load-data.json", tmp / "load-results.json"
            data_file.write_text(json.dumps(data))
            with bench.gunicorn(env, tmp) as server:
                run_locust(server.base, data_file, out, tmp, users=args.users, seconds=args.seconds)
                errors = [line for line in server.log_tail(400).splitlines()
                          if "Traceback" in line or "ERROR" in line]
            if errors:
                bench.log(f"gunicorn logged {len(errors)} errors; the first: {errors[0]}")
            print_results(json.loads(out.read_text()), users=args.users,
                          size=f"{bench.size_name(size)} ({prepared.how})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        bench.log(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        bench.log(f"error: {error}")
        sys.exit(1)
    except KeyboardInterrupt:
        bench.log("interrupted")
        sys.exit(130)
