"""The security baseline: lock-out, CSP, idle sessions, history on every domain model."""

import pytest
from django.apps import apps
from django.conf import settings
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


def test_it_expires_sessions_after_the_idle_timeout():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT_MINUTES * 60


def test_it_renews_the_session_expiry_on_every_request(client, world):
    client.force_login(world.member_a)
    client.get(reverse("teams:list"))
    first = client.session.get_expiry_date()
    client.get(reverse("teams:list"))
    assert client.session.get_expiry_date() > first


@pytest.mark.parametrize("app_label", ["collaboratives", "teams", "measures", "pdsa"])
def test_it_keeps_history_on_every_domain_model(app_label):
    models = [m for m in apps.get_app_config(app_label).get_models()
              if not m.__name__.startswith("Historical")]
    assert models
    assert all(hasattr(model, "history") for model in models), models
