"""The security baseline: lock-out, CSP, idle sessions, history on every domain model."""

import datetime
from contextlib import contextmanager
from unittest import mock

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_locks_an_account_after_repeated_failed_logins(client, world):
    url = reverse("login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "member-a", "password": "wrong"})
    response = client.post(url, {"username": "member-a", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text
    assert "_auth_user_id" not in client.session


def test_it_signs_in_with_the_right_password(client, world):
    response = client.post(reverse("login"), {"username": "member-a", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.member_a.pk)


def test_it_sends_a_strict_content_security_policy(client, world):
    client.force_login(world.advisor)
    policy = client.get(world.collaborative.get_absolute_url())["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'self'" in script_src
    assert "unsafe-inline" not in script_src
    assert "unsafe-eval" not in script_src
    assert "frame-ancestors 'none'" in policy


def test_it_keeps_scripts_and_styles_on_this_origin(client, world):
    client.force_login(world.advisor)
    html = client.get(world.collaborative.get_absolute_url()).text
    assert "https://" not in html.split("</head>")[0]
    assert '<script src="/static/vendor/bootstrap/bootstrap.bundle.min.js"' in html


# --- Idle sessions: the expiry slides with use, the session row is written once a minute ----

IDLE = datetime.timedelta(minutes=settings.SESSION_IDLE_TIMEOUT_MINUTES)
T0 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


@contextmanager
def at(moment: datetime.datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def get_at(client, moment: datetime.datetime):
    """GET a signed-in page at ``moment``; the response and the session writes it made."""
    with at(moment), CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("teams:list"))
    writes = [q["sql"] for q in queries
              if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")]
    return response, writes


@pytest.fixture
def signed_in(client, world):
    with at(T0):
        client.force_login(world.member_a)
    return client


def test_it_writes_no_session_row_on_a_second_request_within_a_minute(signed_in):
    get_at(signed_in, T0 + datetime.timedelta(seconds=5))
    response, writes = get_at(signed_in, T0 + datetime.timedelta(seconds=50))
    assert response.status_code == 200
    assert writes == []


def test_it_slides_the_session_expiry_on_a_request_after_a_minute(signed_in):
    get_at(signed_in, T0 + datetime.timedelta(seconds=5))
    later = T0 + datetime.timedelta(minutes=2)
    _response, writes = get_at(signed_in, later)
    assert writes
    assert Session.objects.get().expire_date == later + IDLE


def test_it_signs_out_a_session_idle_longer_than_the_timeout(signed_in):
    last = T0 + datetime.timedelta(seconds=50)
    get_at(signed_in, T0 + datetime.timedelta(seconds=5))
    get_at(signed_in, last)
    response, writes = get_at(signed_in, last + IDLE + datetime.timedelta(seconds=1))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert writes == []  # and no fresh session is started for the stale cookie


def test_it_starts_no_session_for_an_expired_cookie_on_a_page_that_reads_none(db, rf):
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    from bsc_portal.middleware import SessionIdleRefreshMiddleware

    request = rf.get("/")
    request.session = SessionStore(session_key="expired-or-unknown-key")  # not loaded yet
    SessionIdleRefreshMiddleware(lambda request: HttpResponse())(request)
    assert not request.session.modified


def test_it_keeps_a_session_in_use_signed_in_past_the_timeout(signed_in):
    for minutes in range(30, 4 * 60, 30):  # a request every half hour for four hours
        response, _writes = get_at(signed_in, T0 + datetime.timedelta(minutes=minutes))
        assert response.status_code == 200, minutes


def test_it_creates_no_session_for_an_anonymous_visitor(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not Session.objects.exists()


# Records that tasks write once and nobody edits: which emails went out, which builds were
# asked for. Their own rows are their history.
WRITE_ONCE_RECORDS = {"EmailClaim", "ReportNotice", "ReportBuild", "OutboxMessage"}
# An anonymous evaluation's answers must not be tied to whoever sent them, and a history row
# records its user: these are written once, by the person answering, and never edited.
ANONYMOUS_ANSWERS = {"EvaluationSubmission", "EvaluationResponse", "EvaluationAnswer"}


@pytest.mark.parametrize("app_label", ["collaboratives", "teams", "measures", "pdsa", "reports"])
def test_it_keeps_history_on_every_domain_model(app_label):
    models = [m for m in apps.get_app_config(app_label).get_models()
              if not m.__name__.startswith("Historical")
              and m.__name__ not in WRITE_ONCE_RECORDS | ANONYMOUS_ANSWERS]
    assert models
    assert all(hasattr(model, "history") for model in models), models
