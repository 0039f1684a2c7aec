"""`make load` scenario (run by scripts/load/run.py, which starts the server and writes the
data file): advisors, team members and state viewers using the portal at the same time.

- advisors browse the collaborative, its measures (stratified, p-chart, run chart) and spread;
- members open their team page and run charts, enter a month of data (GET the month page,
  POST every row with valid values) and log quick PDSA cycles;
- state viewers read the collaborative and its measure pages.

Every user signs in through the login form first, as a real user: each member as a member
of a different team. Sign-in hashes the password (PBKDF2, deliberately slow), so the
statistics are reset once everyone is in and the measured window starts then; it lasts
BSC_LOAD_SECONDS, after which the run stops by itself. Results go to BSC_LOAD_OUT as JSON.

Environment: BSC_LOAD_DATA (JSON written by run.py), BSC_LOAD_OUT, BSC_LOAD_SECONDS,
BSC_LOAD_USERS.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from pathlib import Path

import gevent
from gevent.event import Event
from locust import FastHttpUser, between, events, task
from locust.env import Environment
from locust.exception import StopUser

DATA = json.loads(Path(os.environ["BSC_LOAD_DATA"]).read_text())
SECONDS = float(os.environ.get("BSC_LOAD_SECONDS", "60"))
USERS = int(os.environ.get("BSC_LOAD_USERS", "20"))
# Of every 20 users, 3 advisors and 3 state viewers; the rest are members.
LEADERS = max(1, USERS * 3 // 20)

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ENTRY_FIELD = re.compile(r'name="(m\d+(?:s\d+)?)_(numerator|denominator|note)"')
CHANGE_IDEAS = re.compile(r'<select name="change_idea"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="(\d+)"')
FIRST_ERROR = re.compile(r'class="[^"]*invalid-feedback[^"]*"[^>]*>\s*(?:<strong>)?([^<]{0,200})')

_members = iter(DATA["members"])
_advisors = itertools.cycle(DATA["advisors"])
_logins: list[dict] = []
_everyone_in = Event()
_window: dict[str, float] = {}


def _everyone_signed_in(environment: Environment) -> None:
    """Start the measured window: forget the sign-in traffic, stop after SECONDS."""
    environment.stats.reset_all()
    _window["start"] = time.time()
    _everyone_in.set()
    gevent.spawn_later(SECONDS, environment.runner.quit)


@events.quitting.add_listener
def _write_results(environment: Environment, **_kwargs: object) -> None:
    out = os.environ.get("BSC_LOAD_OUT")
    if not out:
        return
    stats = environment.stats
    rows = []
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        rows.append({
            "name": entry.name, "method": entry.method, "requests": entry.num_requests,
            "failures": entry.num_failures, "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99), "max": entry.max_response_time,
        })
    total = stats.total
    Path(out).write_text(json.dumps({
        "rows": rows,
        "total": {"requests": total.num_requests, "failures": total.num_failures,
                  "p50": total.get_response_time_percentile(0.5),
                  "p95": total.get_response_time_percentile(0.95),
                  "p99": total.get_response_time_percentile(0.99),
                  "rps": total.total_rps},
        "errors": [{"name": e.name, "method": e.method, "error": str(e.error),
                    "occurrences": e.occurrences} for e in stats.errors.values()],
        "logins": _logins,
        "window_s": time.time() - _window["start"] if "start" in _window else 0.0,
    }, indent=1))


class PortalUser(FastHttpUser):
    abstract = True
    wait_time = between(1, 3)  # people read a page before the next click
    username = ""

    def on_start(self) -> None:
        self.username = self.pick_username()
        ok = self.log_in()
        _logins.append({"username": self.username, "ok": ok, "ms": self.login_ms})
        if len(_logins) >= USERS and not _everyone_in.is_set():
            _everyone_signed_in(self.environment)
        if not ok:
            raise StopUser
        _everyone_in.wait(timeout=120)

    def pick_username(self) -> str:
        raise NotImplementedError

    def log_in(self) -> bool:
        started = time.perf_counter()
        try:
            page = self.client.get("/accounts/login/", name="sign-in page")
            token = CSRF.search(page.text or "")
            response = self.client.post(
                "/accounts/login/", name="sign-in", allow_redirects=False,
                data={"username": self.username, "password": DATA["password"],
                      "csrfmiddlewaretoken": token[1] if token else ""})
            location = response.headers.get("Location") or ""
            return response.status_code == 302 and "/accounts/login/" not in location
        finally:
            self.login_ms = (time.perf_counter() - started) * 1000

    def page(self, url: str, name: str) -> str | None:
        """GET a page that must answer 200 itself: a redirect to sign-in is a failure."""
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None
            response.success()
            return response.text

    def post(self, url: str, name: str, data: dict, page: str) -> None:
        """POST a form that must redirect (Django's 'saved' answer), with the page's CSRF token."""
        token = CSRF.search(page)
        data = {**data, "csrfmiddlewaretoken": token[1] if token else ""}
        with self.client.post(url, name=name, data=data, allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code != 302:
                error = FIRST_ERROR.search(response.text or "")
                response.failure(f"HTTP {response.status_code}"
                                 + (f": {error[1].strip()}" if error else ""))
            else:
                response.success()

    def measure_page(self, who: str) -> None:
        kind, url = random.choice(list(DATA["measures"].items()))
        self.page(url, f"{who}: measure ({kind})")


class Advisor(PortalUser):
    fixed_count = LEADERS

    def pick_username(self) -> str:
        return next(_advisors)

    @task(3)
    def collaborative(self) -> None:
        self.page(DATA["collaborative"], "advisor: collaborative")

    @task(1)
    def collaboratives(self) -> None:
        self.page(DATA["collaborative_list"], "advisor: collaborative list")

    @task(1)
    def measures(self) -> None:
        self.page(DATA["measure_list"], "advisor: measure list")

    @task(4)
    def measure(self) -> None:
        self.measure_page("advisor")

    @task(2)
    def spread(self) -> None:
        self.page(DATA["spread"], "advisor: spread")


class StateViewer(PortalUser):
    fixed_count = LEADERS

    def pick_username(self) -> str:
        return DATA["state"]

    @task(2)
    def collaborative(self) -> None:
        self.page(DATA["collaborative"], "state: collaborative")

    @task(3)
    def measure(self) -> None:
        self.measure_page("state")


class Member(PortalUser):
    weight = 1  # everyone not counted above

    def pick_username(self) -> str:
        self.me = next(_members)  # one per team; run.py provides enough
        return self.me["username"]

    @task(4)
    def team(self) -> None:
        self.page(self.me["team"], "member: team page")

    @task(3)
    def run_charts(self) -> None:
        self.page(self.me["charts"], "member: run charts")

    @task(1)
    def enter_month(self) -> None:
        page = self.page(self.me["month"], "member: month entry")
        if page is None:
            return
        data = {}
        keys = {(key, column) for key, column in ENTRY_FIELD.findall(page)}
        for key in sorted({key for key, _column in keys}):
            # Valid for every unit: a percentage's numerator never exceeds its denominator.
            denominator = random.randint(5, 20)
            if (key, "denominator") in keys:
                data[f"{key}_denominator"] = str(denominator)
            data[f"{key}_numerator"] = str(random.randint(0, denominator))
            data[f"{key}_note"] = "load test" if random.random() < 0.2 else ""
        self.post(self.me["month"], "member: month entry (POST)", data, page)

    @task(1)
    def new_cycle(self) -> None:
        page = self.page(self.me["cycle_new"], "member: new PDSA cycle")
        if page is None:
            return
        select = CHANGE_IDEAS.search(page)
        ideas = OPTION.findall(select[1]) if select else []
        if not ideas:
            return
        self.post(self.me["cycle_new"], "member: new PDSA cycle (POST)", {
            "title": f"Load test {uuid.uuid4().hex[:8]}", "change_idea": random.choice(ideas),
            "prediction": "At least 4 of 6 children will use the calm-down corner unprompted.",
            "plan_what": "Introduce the calm-down corner at morning meeting.", "follows": "",
        }, page)
