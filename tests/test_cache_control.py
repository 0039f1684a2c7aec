"""Cache-Control: no-store on every API answer and every page for a signed-in person.

Public pages stay cacheable; a view's own Cache-Control stands; static files are WhiteNoise's."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from bsc_portal.middleware import PrivateNoStoreMiddleware

pytestmark = pytest.mark.django_db


def test_it_sends_no_store_with_a_team_page(client, world):
    client.force_login(world.member_a)
    response = client.get(world.team_a.get_absolute_url())
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_it_sends_no_store_with_an_api_answer(client, world):
    client.force_login(world.advisor)
    response = client.get("/api/v1/teams/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_it_sends_no_store_with_an_api_refusal_too(client, world):
    response = client.get("/api/v1/teams/")
    assert response.status_code == 401
    assert response["Cache-Control"] == "no-store"


def test_it_leaves_a_public_page_cacheable(client, world):
    # Nothing private on the password reset form; the sign-in page sets its own (never_cache).
    response = client.get(reverse("password_reset"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_it_keeps_what_a_view_set_itself():
    request = RequestFactory().get("/reports/1/pdf/")
    request.user = type("SignedIn", (), {"is_authenticated": True})()

    def view(request):
        return HttpResponse(headers={"Cache-Control": "private, max-age=60"})

    assert PrivateNoStoreMiddleware(view)(request)["Cache-Control"] == "private, max-age=60"


def test_it_leaves_static_files_to_whitenoise(client, world):
    client.force_login(world.member_a)
    response = client.get("/static/vendor/bootstrap/bootstrap.bundle.min.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
