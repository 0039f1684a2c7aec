"""Faults survived with nothing lost (issue #10): Redis stopped while people save their work,
and PostgreSQL dropping every connection mid-run.

Redis: the test starts its own redis-server (the shared one must never be stopped) and points
the cache and the Celery broker at it. With it stopped, saving a PDSA cycle, a month of data
and a new team member all work (the cache is skipped, the invitation waits in the outbox);
once it is back, the relay publishes the invitation, and the email goes out exactly once.

A Celery worker killed mid-month is covered by tests/reports/test_worker.py."""

from __future__ import annotations

import base64
import contextlib
import datetime
import json
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest
import redis
from django.core.cache import cache
from django.db import OperationalError, close_old_connections, connection, connections, transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from bsc_portal.celery import app
from collaboratives.models import ChangeIdea, OutboxMessage
from collaboratives.outbox import outbox_enqueue, outbox_unsent_count
from collaboratives.tasks import relay_outbox
from measures.models import MeasureValue
from pdsa.models import Cycle
from teams.api import TeamViewSet
from teams.models import Membership
from teams.views import teams as team_views
from tests.factories import MeasureFactory, UserFactory

NEW_PERSON = {"first_name": "Lena", "last_name": "Park", "email": "lena@example.org",
              "role": "family", "is_lead": ""}


# --- A Redis of our own, to stop and start -------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(redis.exceptions.ConnectionError):
                if client.ping():
                    break
            if time.monotonic() > deadline:
                pytest.fail("our redis-server did not start")
            time.sleep(0.02)
        client.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def queued(self, queue: str) -> list[tuple[str, dict]]:
        """Take every message off ``queue``: (task name, kwargs) in publishing order."""
        client = redis.Redis(port=self.port)
        messages = []
        while raw := client.rpop(queue):
            envelope = json.loads(raw)
            _args, kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
            messages.append((envelope["headers"]["task"], kwargs))
        client.close()
        return messages


@pytest.fixture
def own_redis() -> Iterator[OwnRedis]:
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server (`make test` installs it)")
    server = OwnRedis(_free_port())
    server.start()
    cache_settings = {"default": {"BACKEND": "bsc_portal.faults.TolerantRedisCache",
                                  "LOCATION": f"{server.url}/1",
                                  "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.broker_url, app.conf.task_always_eager = f"{server.url}/0", False
    _forget_broker_connections()
    try:
        with override_settings(CACHES=cache_settings):
            yield server
    finally:
        app.conf.update(saved)
        _forget_broker_connections()
        server.stop()


def _forget_broker_connections() -> None:
    # The app keeps its pools (kombu's, one per broker URL); as after a fork, it looks them
    # up again for the new URL.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def idea(world) -> ChangeIdea:
    return ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules")


# --- Redis stopped ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_people_save_their_work_while_redis_is_down_and_the_invitation_goes_out_once_it_is_back(
        client, world, idea, own_redis, mailoutbox, django_capture_on_commit_callbacks):
    measure = MeasureFactory(collaborative=world.collaborative, name="Fidelity")
    client.force_login(world.member_a)
    assert client.get(world.team_a.get_absolute_url()).status_code == 200  # fills the cache
    own_redis.stop()

    # A member logs a cycle and a month of data; the pages that read the cache still answer.
    response = client.post(reverse("pdsa:cycle-create", args=[world.team_a.pk]), {
        "title": "Visual schedule at circle time", "change_idea": idea.pk,
        "prediction": "Four of six children follow it", "plan_what": "Post it at eye level"})
    assert response.status_code == 302
    assert Cycle.objects.filter(team=world.team_a, title="Visual schedule at circle time").exists()
    month = datetime.date(2026, 10, 1)
    response = client.post(reverse("measures:team-data-month", args=[world.team_a.pk, month]),
                           {f"m{measure.pk}_numerator": "3", f"m{measure.pk}_denominator": "6"})
    assert response.status_code == 302
    assert MeasureValue.objects.get(measure=measure).value == 50
    assert client.get(world.team_a.get_absolute_url()).status_code == 200
    assert client.get(reverse("measures:team-data", args=[world.team_a.pk])).status_code == 200

    # The advisor adds a person: saved, and the invitation waits in the outbox.
    client.force_login(world.advisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("teams:member-add", args=[world.team_a.pk]), NEW_PERSON)
    assert response.status_code == 302
    membership = Membership.objects.get(team=world.team_a, user__email="lena@example.org")
    assert membership.invitation_pending
    assert outbox_unsent_count() == 1
    assert OutboxMessage.objects.get().last_error  # the attempt after commit was refused
    assert relay_outbox.apply().get() == 0  # beat's relay, still without a broker
    assert mailoutbox == []

    # Redis is back: the relay publishes it once, the worker sends it once.
    own_redis.start()
    assert relay_outbox.apply().get() == 1
    assert relay_outbox.apply().get() == 0  # relaying again publishes nothing more
    queued = own_redis.queued(app.conf.task_default_queue)
    assert queued == [("teams.tasks.send_membership_invitation",
                       {"membership_id": membership.pk, "invited_by_id": world.advisor.pk})]
    for name, kwargs in queued:  # what the worker does with it
        app.tasks[name].apply(kwargs=kwargs).get()
    assert [message.to for message in mailoutbox] == [["lena@example.org"]]
    membership.refresh_from_db()
    assert not membership.invitation_pending
    assert outbox_unsent_count() == 0
    # A redelivered copy (the at-least-once case) sends nothing more.
    app.tasks[queued[0][0]].apply(kwargs=queued[0][1]).get()
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_the_cache_works_again_once_redis_is_back_and_forgets_what_it_missed(own_redis):
    cache.set("bsc:probe", "before")
    own_redis.stop()
    assert cache.get("bsc:probe", "missed") == "missed"
    cache.set("bsc:probe", "during")  # lost: it could have been an invalidation
    own_redis.start()  # a fresh server is empty anyway; a partitioned one would not be
    redis.Redis(port=own_redis.port, db=1).set(":1:bsc:probe", b"stale")
    assert cache.get("bsc:probe") is None  # emptied, not the stale entry
    cache.set("bsc:probe", "after")
    assert cache.get("bsc:probe") == "after"


@pytest.mark.django_db
def test_the_relay_skips_a_task_that_no_longer_exists_and_sends_the_rest(
        settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    user = UserFactory(email="rosa@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue("collaboratives.tasks.renamed_long_ago", user_id=user.pk)
        outbox_enqueue("collaboratives.tasks.send_invitation_email", user_id=user.pk,
                       invited_by_id=None, place="Team A")
    assert [message.to for message in mailoutbox] == [["rosa@example.org"]]
    stuck = OutboxMessage.objects.get(sent_at__isnull=True)
    assert (stuck.task, stuck.last_error) == ("collaboratives.tasks.renamed_long_ago", "LookupError")
    assert relay_outbox.apply().get() == 0
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_change_rolled_back_leaves_no_task_behind(world):
    with contextlib.suppress(RuntimeError), transaction.atomic():
        outbox_enqueue("collaboratives.tasks.send_invitation_email", user_id=world.member_a.pk,
                       invited_by_id=None, place="Team A")
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_the_relay_forgets_messages_sent_a_week_ago():
    old = OutboxMessage.objects.create(task="x", sent_at=timezone.now() - datetime.timedelta(days=8))
    recent = OutboxMessage.objects.create(task="x", sent_at=timezone.now())
    relay_outbox.apply()
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk != recent.pk


# --- PostgreSQL dropping the connections ------------------------------------------------------

def _restart_postgresql() -> None:
    """What a PostgreSQL restart does to this process: the server ends its connection. Done
    from a second connection, as the restart would, leaving this one to find out."""
    pid = connection.cursor().connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


@pytest.fixture
def server(transactional_db: None) -> Iterator[Callable[[Client, str], HttpResponse]]:
    """Requests served as a server process serves them: on a connection kept between
    requests, checked at the start of each (the test client leaves Django's request_started
    handler out, so it is called here), and with errors turned into pages, not raised."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (`make test` starts it)")
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    assert connection.settings_dict["CONN_MAX_AGE"] > 0

    def get(client: Client, url: str) -> HttpResponse:
        close_old_connections()
        return client.get(url)

    yield get
    connection.close()  # the flush after the test opens a fresh one


@pytest.fixture
def member_a(world) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(world.member_a)
    return client


def test_after_a_restart_the_next_request_reconnects(server, world, member_a):
    url = world.team_a.get_absolute_url()
    assert server(member_a, url).status_code == 200
    _restart_postgresql()
    assert server(member_a, url).status_code == 200  # the health check found it and reconnected
    assert server(member_a, url).status_code == 200


def test_a_restart_during_a_request_gives_a_friendly_503_and_the_next_request_works(
        server, world, member_a, monkeypatch):
    url = world.team_a.get_absolute_url()
    assert server(member_a, url).status_code == 200
    real = team_views.render

    def render_during_a_restart(*args, **kwargs):
        _restart_postgresql()  # past the health check: the page is being built
        return real(*args, **kwargs)

    monkeypatch.setattr(team_views, "render", render_during_a_restart)
    response = server(member_a, url)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "lost its database for a moment" in response.text
    assert "Traceback" not in response.text
    monkeypatch.undo()
    assert server(member_a, url).status_code == 200


def test_a_restart_before_the_view_is_a_503_too(server, world, member_a, monkeypatch):
    # The session is read by middleware, before any view: Django's 500 handler answers that.
    url = world.team_a.get_absolute_url()
    assert server(member_a, url).status_code == 200
    monkeypatch.setattr(connection, "close_if_health_check_failed", lambda: None)  # no check
    _restart_postgresql()
    response = member_a.get(url)
    assert response.status_code == 503
    assert "lost its database for a moment" in response.text
    monkeypatch.undo()
    assert server(member_a, url).status_code == 200


def test_the_api_answers_503_in_json(server, world, member_a, monkeypatch):
    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(TeamViewSet, "list", lost)
    response = server(member_a, "/api/v1/teams/")
    assert response.status_code == 503
    assert response.json() == {"detail": "The portal lost its database for a moment; try again."}
    assert response["Retry-After"] == "10"
