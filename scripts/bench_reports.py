"""The monthly-report job at scale, for `make bench`: how fast last month's reports of every
team are built, in this process (reports a second and queries a team) and by two real
Celery worker processes through Redis (wall time on 2 cores; the goal is 1,000 teams x
7 measures x 24 months in 60 s or less)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
GOAL_SECONDS = 60


def child_rate(sample: int) -> dict:
    """In a process whose settings point at the seeded database: build ``sample`` reports
    one after the other, counting queries."""
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from measures.months import add_months, month_start
    from reports import services
    from teams.models import Team

    month = add_months(month_start(timezone.localdate()), -1)
    team_ids = services.active_team_ids(month)[:sample]
    teams = Team.objects.select_related("collaborative").in_bulk(team_ids)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        for team_id in team_ids:
            services.monthly_report_build(team=teams[team_id], month=month)
    seconds = time.perf_counter() - started
    return {"teams": len(team_ids), "seconds": seconds, "queries": len(queries) / max(len(team_ids), 1),
            "active": len(services.active_team_ids(month))}


def worker_run(env: dict[str, str], *, concurrency: int = 2, timeout: float = 600) -> dict:
    """Enqueue last month's build through Redis and time two worker processes doing it."""
    script = (
        "import django, time, sys; django.setup();"
        "from django.utils import timezone;"
        "from measures.months import add_months, month_start;"
        "from reports.models import MonthlyReport; from reports import services, tasks;"
        "month = add_months(month_start(timezone.localdate()), -1);"
        "MonthlyReport.objects.filter(month=month).delete();"
        "print(len(services.active_team_ids(month)), month.isoformat(), flush=True)"
    )
    worker_env = {**env, "CELERY_TASK_ALWAYS_EAGER": "false", "DJANGO_SETTINGS_MODULE": "bsc_portal.settings"}
    first = subprocess.run([PY, "-c", script], cwd=REPO, env=worker_env, check=True, capture_output=True,
                           text=True).stdout.split()
    expected, month = int(first[0]), first[1]
    worker = subprocess.Popen(
        [PY, "-m", "celery", "-A", "bsc_portal", "worker", "-c", str(concurrency), "-l", "warning",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=REPO, env=worker_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    count = (
        "import django; django.setup(); from reports.models import MonthlyReport;"
        f"print(MonthlyReport.objects.filter(month='{month}').count())"
    )
    try:
        time.sleep(3)  # let the worker connect before the clock starts
        started = time.monotonic()
        subprocess.run([PY, "-c", "import django; django.setup(); from reports import tasks;"
                        f"tasks.build_monthly_reports.delay(month='{month}')"],
                       cwd=REPO, env=worker_env, check=True)
        built = 0
        while built < expected and time.monotonic() - started < timeout:
            time.sleep(1)
            built = int(subprocess.run([PY, "-c", count], cwd=REPO, env=worker_env, check=True,
                                       capture_output=True, text=True).stdout)
        return {"expected": expected, "built": built, "seconds": time.monotonic() - started,
                "concurrency": concurrency}
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def print_table(size: str, rate: dict, run: dict) -> None:
    per_second = rate["teams"] / rate["seconds"] if rate["seconds"] else 0
    print(f"\nMonthly reports at {size} (last month, every active team):")
    print(f"  one process:  {rate['teams']} reports in {rate['seconds']:.1f} s = {per_second:.1f} a second, "
          f"{rate['queries']:.1f} queries a report")
    goal = "PASS" if run["built"] >= run["expected"] and run["seconds"] <= GOAL_SECONDS else "MISS"
    print(f"  {run['concurrency']} Celery worker processes through Redis: {run['built']} of "
          f"{run['expected']} reports in {run['seconds']:.1f} s = "
          f"{run['built'] / run['seconds']:.1f} a second (goal: all in <= {GOAL_SECONDS} s) {goal}")
