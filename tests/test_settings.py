"""The settings module: embedded defaults, strict parsing, and a deployable production mode."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROD = {
    "DJANGO_DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "portal.example.org",
}


def run_manage(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    # A clean environment: only what the case sets, like a fresh machine.
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **(env or {})},
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_it_passes_the_deployment_checklist_in_production_mode():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PROD)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_in_production_without_a_secret_key():
    result = run_manage("check", env={**PROD, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY is required when DJANGO_DEBUG=false" in result.stderr


@pytest.mark.parametrize(("name", "value", "message"), [
    ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG='maybe' is not a boolean"),
    ("SESSION_IDLE_TIMEOUT_MINUTES", "soon", "SESSION_IDLE_TIMEOUT_MINUTES='soon' is not a whole number"),
    ("SESSION_IDLE_TIMEOUT_MINUTES", "1", "must be at least 5"),
    ("DATABASE_URL", "mysql://db/bsc", "DATABASE_URL must start with one of"),
    ("REDIS_URL", "localhost:6379", "REDIS_URL must start with one of"),
])
def test_it_stops_start_up_on_a_bad_value_with_a_clear_message(name, value, message):
    result = run_manage("check", env={name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_it_runs_embedded_with_no_environment_at_all(tmp_path):
    result = run_manage("shell", "-v", "0", "-c", (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER,"
        " s.EMAIL_BACKEND.rsplit('.', 2)[-2], s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1])"
    ), env={"BSC_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "console", "LocMemCache"]


def test_it_switches_to_postgresql_and_redis_from_the_environment():
    result = run_manage("shell", "-v", "0", "-c", (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER,"
        " s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1])"
    ), env={"DATABASE_URL": "postgres://bsc@127.0.0.1:1/bsc", "REDIS_URL": "redis://127.0.0.1:1/0"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql", "redis://127.0.0.1:1/0", "False", "RedisCache",
    ]


@pytest.mark.parametrize(("broker", "cache"), [
    ("redis://127.0.0.1:1/0", "redis://127.0.0.1:1/1"),
    ("redis://127.0.0.1:1", "redis://127.0.0.1:1/1"),
    ("rediss://user:pw@cache.example:6380/4", "rediss://user:pw@cache.example:6380/5"),
])
def test_it_keeps_the_cache_in_another_redis_database_than_the_broker(broker, cache):
    # Clearing the cache must never drop the broker's queued or unacknowledged tasks.
    result = run_manage("shell", "-v", "0", "-c", (
        "from django.conf import settings as s; print(s.CACHES['default']['LOCATION'])"
    ), env={"REDIS_URL": broker})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == cache
