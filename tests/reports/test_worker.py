"""Monthly reports through the real Redis broker and real `celery worker` processes: a month
built twice at once, and a month whose worker is killed half-way and restarted, both end with
exactly one report per active team and exactly one "ready" email per team member.

Needs PostgreSQL and Redis (`make test` starts both); skipped on the embedded SQLite demo.
The workers are subprocesses on the test database, so the tests commit (transactional_db).
Emails go over SMTP to a sink in this process, so a lost or doubled email is counted, not
only its ReportNotice claim (whose unique constraint would hide a duplicate send)."""

from __future__ import annotations

import contextlib
import datetime
import email
import io
import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.policy import default as email_policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from bsc_portal.celery import app
from collaboratives.language import email_language
from collaboratives.models import Collaborative
from collaboratives.outbox import outbox_relay
from reports import services
from reports.models import MonthlyReport, ReportNotice
from reports.tasks import build_monthly_reports
from teams.models import Membership

DEMO = "Growing Together: Social-Emotional Learning Collaborative"
QUEUE = app.conf.task_default_queue
UNACKED = "unacked"  # kombu's Redis transport: delivered, not yet acknowledged messages
UNACKED_INDEX = "unacked_index"  # the same, scored by delivery time
RESTART_VISIBILITY_TIMEOUT = 1  # seconds; settings use 3600 (see the kill test)

# A worker of the portal's own app (`celery -A bsc_portal worker`) with two knobs a test needs
# and settings do not offer: a Redis visibility timeout that has already run out (the restarted
# worker stands for one started an hour later) and a pause after each team's build, before its
# late ack, so that a kill lands between a committed report and its acknowledgement.
LAUNCHER = """
import os, sys, time
from celery.signals import task_postrun
from bsc_portal.celery import app

if os.environ.get("TEST_VISIBILITY_TIMEOUT"):
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "visibility_timeout": float(os.environ["TEST_VISIBILITY_TIMEOUT"]),
    }
PAUSE = float(os.environ.get("TEST_PAUSE_AFTER_BUILD") or 0)

@task_postrun.connect
def pause_after_build(sender=None, **kwargs):
    if PAUSE and sender.name == "reports.tasks.build_team_report":
        time.sleep(PAUSE)

app.worker_main(sys.argv[1:])
"""


# --- An SMTP sink the workers send to ----------------------------------------------------------

class _SmtpSession(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: every message is kept, none is delivered."""

    server: MailSink

    def handle(self) -> None:
        self.reply("220 test sink")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"QUIT":
                self.reply("221 bye")
                return
            if verb == b"DATA":
                self.reply("354 end with a dot")
                message = email.message_from_bytes(self.read_data(), policy=email_policy)
                with self.server.lock:
                    self.server.messages.append(message)
            self.reply("250 ok")

    def read_data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)  # undo dot-stuffing
        return b"".join(lines)

    def reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")


class MailSink(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpSession)
        self.lock = threading.Lock()
        self.messages: list[EmailMessage] = []

    def received(self) -> Counter:
        with self.lock:
            # An encoded (non-ASCII) subject may come back folded, with a leading space.
            return Counter((message["To"], " ".join(str(message["Subject"]).split()))
                           for message in self.messages)


# --- Worker processes ----------------------------------------------------------------------

class Worker:
    """One `celery worker` subprocess, in its own process group so a kill takes its pool too."""

    def __init__(self, env: dict[str, str], log: Path, *options: str) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", LAUNCHER, "worker", "--loglevel=INFO", "--without-mingle",
                 "--without-gossip", "--without-heartbeat", *options],
                env=env, cwd=settings.BASE_DIR, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL to the whole group: no warm shutdown, nothing handed back to the broker."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown: the running task finishes, reserved ones go back to the queue."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        self.kill()  # and any pool process that outlived its parent


@pytest.fixture
def broker(transactional_db: None) -> Iterator[redis.Redis]:
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI must run the suite with REDIS_URL and DATABASE_URL (make test).")
        pytest.skip("needs Redis and PostgreSQL; `make test` starts them")
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()  # no message left by another test; the cache fixture empties it too
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # publish to Redis, as the portal does in production
    yield client
    app.conf.task_always_eager = eager
    client.close()


@pytest.fixture
def mail() -> Iterator[MailSink]:
    sink = MailSink()
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    yield sink
    sink.shutdown()
    sink.server_close()


@pytest.fixture
def start_worker(broker: redis.Redis, mail: MailSink, tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    # The workers use the test database pytest-django created, and the SMTP sink for email.
    database_url = urlsplit(settings.DATABASE_URL)._replace(path="/" + connection.settings_dict["NAME"])
    env = {**os.environ, "DATABASE_URL": database_url.geturl(), "CELERY_TASK_ALWAYS_EAGER": "false",
           "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(mail.server_address[1]),
           "EMAIL_USE_TLS": "false", "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": ""}
    workers: list[Worker] = []

    def start(*options: str, visibility_timeout: float | None = None,
              pause_after_build: float | None = None) -> Worker:
        worker = Worker({**env, "TEST_VISIBILITY_TIMEOUT": str(visibility_timeout or ""),
                         "TEST_PAUSE_AFTER_BUILD": str(pause_after_build or "")},
                        tmp_path / f"worker-{len(workers) + 1}.log", *options)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


# --- The demo collaborative and a month of it no report exists for ----------------------------

@pytest.fixture
def month(broker: redis.Redis) -> datetime.date:
    call_command("seed_demo", teams=4, months=16, stdout=io.StringIO())
    demo = Collaborative.objects.get(name=DEMO)
    last_month = demo.end_date.replace(day=1)
    MonthlyReport.objects.filter(month=last_month).delete()  # seeded once today is past it
    assert set(demo.teams.values_list("pk", flat=True)) <= set(services.active_team_ids(last_month))
    return last_month


def expected_emails(month: datetime.date) -> Counter:
    """One "ready" email to every active member with an address, of every active team."""
    members = (Membership.objects.filter(team_id__in=services.active_team_ids(month),
                                         user__is_active=True).exclude(user__email="")
               .select_related("user", "team"))
    expected = Counter()
    for member in members:
        # Each in the recipient's language (the demo's member-es reads Spanish).
        with translation.override(email_language(member.user)):
            expected[(member.user.email, gettext("%(team)s: your %(month)s report is ready to complete")
                      % {"team": member.team.name,
                         "month": date_format(month, "YEAR_MONTH_FORMAT")})] += 1
    return expected


def reports_built(month: datetime.date) -> int:
    return MonthlyReport.objects.filter(month=month).count()


def wait_until(condition: Callable[[], bool], *, seconds: float, what: str, worker: Worker) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            log = worker.log.read_text(errors="replace")[-4000:]
            pytest.fail(f"no {what} after {seconds} s; the worker's log ends with:\n{log}")
        time.sleep(0.05)


def wait_until_idle(broker: redis.Redis, worker: Worker, *, seconds: float = 45) -> None:
    """Until nothing is queued or held unacknowledged for a second and a half. Tasks publish
    what follows them (the teams' builds, the emails) before their late ack, so a broker that
    stays empty means the work is done."""
    quiet_since = [time.monotonic()]

    def idle() -> bool:
        if broker.llen(QUEUE) or broker.hlen(UNACKED):
            quiet_since[0] = time.monotonic()
        return time.monotonic() - quiet_since[0] > 1.5

    wait_until(idle, seconds=seconds, what="idle broker", worker=worker)


def assert_one_report_per_team_and_one_email_per_member(month: datetime.date, broker: redis.Redis,
                                                        mail: MailSink) -> None:
    team_ids = services.active_team_ids(month)
    reports = MonthlyReport.objects.filter(month=month)
    assert sorted(reports.values_list("team_id", flat=True)) == team_ids
    assert not reports.filter(built_at=None).exists()
    assert not reports.filter(ready_notified_at=None).exists()
    expected = expected_emails(month)
    assert mail.received() == expected
    notices = ReportNotice.objects.filter(report__month=month, event="ready")
    assert notices.count() == expected.total()
    assert (broker.llen(QUEUE), broker.hlen(UNACKED)) == (0, 0)  # nothing left undone


# --- The tests -----------------------------------------------------------------------------------

def test_it_builds_a_month_enqueued_twice_into_one_report_per_team_and_one_email_per_member(
        month, broker, mail, start_worker):
    # Both runs are queued before the worker starts, so its two pool processes build the same
    # teams' reports at the same time.
    build_monthly_reports.delay(month=month.isoformat())
    build_monthly_reports.delay(month=month.isoformat())
    worker = start_worker("--pool=prefork", "--concurrency=2")
    wait_until_idle(broker, worker)
    worker.stop()
    assert_one_report_per_team_and_one_email_per_member(month, broker, mail)


def test_it_finishes_a_month_after_its_worker_is_killed_half_way(month, broker, mail, start_worker):
    team_count = len(services.active_team_ids(month))
    build_monthly_reports.delay(month=month.isoformat())
    first = start_worker("--pool=prefork", "--concurrency=1", pause_after_build=0.5)

    def half_way() -> bool:  # a report committed, its task still unacknowledged, more to come
        return 0 < reports_built(month) < team_count and broker.hlen(UNACKED) == 1

    wait_until(half_way, seconds=30, what="report built half-way through the month", worker=first)
    first.kill()
    assert 0 < reports_built(month) < team_count
    # The dead worker's message stays unacknowledged in Redis. Kombu hands it back to the queue
    # only once it is older than the visibility timeout (3600 s in settings): a worker does
    # that sweep when it connects. The new worker is the one started an hour later.
    assert broker.hlen(UNACKED) == 1
    delivered_at = broker.zrange(UNACKED_INDEX, 0, -1, withscores=True)[0][1]
    time.sleep(max(0.0, delivered_at + RESTART_VISIBILITY_TIMEOUT + 0.2 - time.time()))
    second = start_worker("--pool=prefork", "--concurrency=1",
                          visibility_timeout=RESTART_VISIBILITY_TIMEOUT)
    wait_until_idle(broker, second)
    # The killed worker may have committed a report and its "ready" email to the outbox
    # without publishing the email: beat's relay (every minute) publishes it. Run it now.
    if outbox_relay():
        wait_until_idle(broker, second)
    second.stop()
    assert_one_report_per_team_and_one_email_per_member(month, broker, mail)
