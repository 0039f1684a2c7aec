"""The suite runs against the real services in CI: PostgreSQL, Redis as cache and as the
Celery broker with a real worker."""

import os
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from bsc_portal.celery import app
from collaboratives.tasks import send_invitation_email
from tests.factories import UserFactory


@pytest.fixture
def redis_url() -> str:
    if not settings.REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must run the suite with REDIS_URL (make test starts Redis).")
        pytest.skip("needs REDIS_URL; `make test` starts Redis")
    return settings.REDIS_URL


def test_it_uses_postgresql_when_database_url_is_set(db):
    if os.environ.get("CI") or settings.DATABASE_URL:
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor == "sqlite"


def test_it_caches_in_redis(redis_url):
    cache.set("bsc:probe", {"teams": 8}, timeout=30)
    assert cache.get("bsc:probe") == {"teams": 8}
    assert type(cache._cache).__name__ == "RedisCacheClient"  # the real client, not locmem


def test_it_delivers_a_task_through_redis_to_a_real_worker(redis_url, transactional_db, mailoutbox):
    from celery.contrib.testing.worker import start_worker

    user = UserFactory(email="worker-probe@example.org")
    user.set_unusable_password()
    user.save()
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            send_invitation_email.delay(user_id=user.pk, invited_by_id=None, place="Team A")
            deadline = time.monotonic() + 20
            while not mailoutbox and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        app.conf.task_always_eager = True
    assert [message.to for message in mailoutbox] == [["worker-probe@example.org"]]
    assert "/accounts/invitation/" in mailoutbox[0].body
