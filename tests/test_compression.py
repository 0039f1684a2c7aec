"""Pages and API answers go out gzip-compressed to clients that accept it; static files are
WhiteNoise's to serve (compressed ahead of time by collectstatic in a deployment)."""

import gzip

import pytest

pytestmark = pytest.mark.django_db


def test_it_compresses_an_html_page_for_a_client_that_accepts_gzip(client, world):
    client.force_login(world.advisor)
    response = client.get(world.collaborative.get_absolute_url(), headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert world.collaborative.name in gzip.decompress(response.content).decode()


def test_it_sends_a_page_uncompressed_to_a_client_that_does_not_ask(client, world):
    client.force_login(world.advisor)
    response = client.get(world.collaborative.get_absolute_url())
    assert not response.has_header("Content-Encoding")


def test_it_compresses_api_answers(client, world):
    client.force_login(world.advisor)
    response = client.get("/api/v1/schema/", headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"


def test_it_leaves_answers_too_short_to_gain_uncompressed(client, world):
    client.force_login(world.stranger)
    response = client.get("/api/v1/collaboratives/", headers={"accept-encoding": "gzip"})
    assert len(response.content) < 200  # GZipMiddleware's threshold
    assert not response.has_header("Content-Encoding")


def test_it_leaves_static_files_to_whitenoise(client):
    response = client.get("/static/vendor/bootstrap/bootstrap.bundle.min.js",
                          headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")  # no .gz beside it without collectstatic
