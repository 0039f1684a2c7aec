"""Security events are logged to bsc_portal.security without personal data: pseudonyms of the
username and address, the path without its query string, never a password."""

from __future__ import annotations

import logging
import re

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from bsc_portal.security_log import log_security_event, pseudonym
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"
PRIVATE = ("member-a", "member-a@example.org", PASSWORD, "wrong-secret", ADDRESS)


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO)

    def records(event: str | None = None) -> list[logging.LogRecord]:
        return [record for record in caplog.records if record.name == "bsc_portal.security"
                and (event is None or record.security_event == event)]
    return records


def assert_nothing_personal(caplog) -> None:
    # Every logger's text, not only ours: axes writes the username and address in its own.
    for record in caplog.records:
        ours = (getattr(record, name, "") for name in ("user_ref", "address_ref", "request_path"))
        text = " ".join((record.getMessage(), *ours))
        for secret in PRIVATE:
            assert secret not in text, (record.name, record.getMessage())


def sign_in(client, password: str):
    return client.post(reverse("login"), {"username": "member-a", "password": password},
                       REMOTE_ADDR=ADDRESS)


def test_it_logs_a_sign_in(client, world, security_log, caplog):
    sign_in(client, PASSWORD)
    [record] = security_log("sign_in_succeeded")
    assert record.user_ref == pseudonym("member-a", kind="username")
    assert record.address_ref == pseudonym(ADDRESS, kind="address")
    assert record.request_path == "/accounts/login/"
    assert_nothing_personal(caplog)


def test_it_logs_a_failed_sign_in_without_the_username_or_password(client, world, security_log,
                                                                   caplog):
    sign_in(client, "wrong-secret")
    [record] = security_log("sign_in_failed")
    assert record.levelno == logging.WARNING
    assert record.user_ref == pseudonym("member-a", kind="username")
    assert_nothing_personal(caplog)


def test_it_logs_a_lockout(client, world, security_log, caplog):
    for _guess in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong-secret")
    assert len(security_log("sign_in_locked_out")) == 1
    sign_in(client, PASSWORD)
    assert len(security_log("sign_in_locked_out")) == 2  # an attempt during the lock
    assert security_log("rate_limited") == []  # the lock-out page is not logged twice
    assert_nothing_personal(caplog)


def test_it_logs_a_permission_denial(client, world, security_log, caplog):
    client.force_login(world.member_a)
    response = client.get(reverse("collaboratives:create") + "?email=member-a@example.org",
                          REMOTE_ADDR=ADDRESS)
    assert response.status_code == 403
    [record] = security_log("permission_denied")
    assert record.user_ref == pseudonym("member-a", kind="username")
    assert record.request_path == reverse("collaboratives:create")  # no query string
    assert_nothing_personal(caplog)


def test_it_logs_a_rate_limit(client, world, security_log, caplog, settings):
    framework = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {**framework, "DEFAULT_THROTTLE_RATES": {
        **framework["DEFAULT_THROTTLE_RATES"], "user_burst": "1/min"}}
    client.force_login(world.member_a)
    for _call in range(2):
        client.get("/api/v1/teams/", REMOTE_ADDR=ADDRESS)
    [record] = security_log("rate_limited")
    assert record.request_path == "/api/v1/teams/"
    assert_nothing_personal(caplog)


def test_it_logs_the_route_not_the_secret_of_a_link(world, security_log):
    # A password reset or invitation link carries a token in its path.
    request = RequestFactory().get("/accounts/reset/MQ/abc-secret/")
    request.resolver_match = type("Match", (), {
        "kwargs": {"uidb64": "MQ", "token": "abc-secret"}, "route": "accounts/reset/<uidb64>/<token>/"})()
    log_security_event("permission_denied", request)
    [record] = security_log("permission_denied")
    assert record.request_path == "/accounts/reset/<uidb64>/<token>/"


def test_it_makes_short_keyed_pseudonyms():
    mark = pseudonym("member-a", kind="username")
    assert re.fullmatch(r"[0-9a-f]{12}", mark)
    assert mark == pseudonym("Member-A ", kind="username")
    assert mark != pseudonym("member-a", kind="address")
    assert pseudonym("", kind="username") == "-"
