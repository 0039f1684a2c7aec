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
# What `make run` sets: the embedded demo on this machine.
DEMO = {"DJANGO_DEBUG": "true"}


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
    result = run_manage("check", env={**DEMO, name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_it_runs_embedded_with_only_debug_on(tmp_path):
    result = run_manage("shell", "-v", "0", "-c", (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER,"
        " s.EMAIL_BACKEND.rsplit('.', 2)[-2], s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1])"
    ), env={**DEMO, "BSC_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "console", "LocMemCache"]


def test_it_switches_to_postgresql_and_redis_from_the_environment():
    result = run_manage("shell", "-v", "0", "-c", (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER,"
        " s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1])"
    ), env={**DEMO, "DATABASE_URL": "postgres://bsc@127.0.0.1:1/bsc",
            "REDIS_URL": "redis://127.0.0.1:1/0"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql", "redis://127.0.0.1:1/0", "False", "TolerantRedisCache",
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
    ), env={**DEMO, "REDIS_URL": broker})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == cache


# --- Debug is off unless asked for, and then only on this machine ---------------------

def test_it_refuses_to_start_with_no_environment_and_says_how_to_run_the_demo(tmp_path):
    # A deployment that forgets DJANGO_DEBUG gets production mode, not tracebacks.
    result = run_manage("check", env={"BSC_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY is required when DJANGO_DEBUG=false (the default)" in result.stderr
    assert "make run" in result.stderr


@pytest.mark.parametrize("hosts", [
    "portal.example.org", "*", "10.0.0.5", "localhost,0.0.0.0", "127.0.0.1,.example.org",
])
def test_it_refuses_debug_on_a_host_other_than_this_machine(hosts):
    result = run_manage("check", env={**DEMO, "DJANGO_ALLOWED_HOSTS": hosts})
    assert result.returncode != 0
    assert "DJANGO_DEBUG=true shows tracebacks" in result.stderr
    assert "Set DJANGO_DEBUG=false" in result.stderr


def test_it_allows_debug_on_loopback_names_and_addresses(tmp_path):
    result = run_manage("check", env={
        **DEMO, "BSC_VAR_DIR": str(tmp_path),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,127.0.0.2,localhost,.localhost,[::1],testserver",
    })
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("host", "loopback"), [
    ("localhost", True), ("LOCALHOST.", True), ("app.localhost", True), (".localhost", True),
    ("127.0.0.1", True), ("127.8.9.10", True), ("[::1]", True), ("::1", True),
    ("testserver", True), ("*", False), ("0.0.0.0", False), ("192.168.1.4", False),
    ("localhost.example.org", False), ("[::]", False), ("", False),
])
def test_it_knows_which_hosts_are_this_machine(host, loopback):
    from bsc_portal.env import is_loopback_host

    assert is_loopback_host(host) is loopback


def fake_python(tmp_path: Path) -> Path:
    """Stands in for .venv/bin/python in `make run`: prints what the demo would run with."""
    script = tmp_path / "python"
    script.write_text('#!/bin/sh\necho "DJANGO_DEBUG=${DJANGO_DEBUG-unset} $*"\n')
    script.chmod(0o755)
    return script


@pytest.mark.parametrize(("environment", "expected"), [({}, "true"), ({"DJANGO_DEBUG": "false"},
                                                                        "false")])
def test_make_run_turns_debug_on_unless_the_environment_says_otherwise(tmp_path, environment,
                                                                        expected):
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    result = subprocess.run(
        ["make", "--no-print-directory", "run", f"PY={fake_python(tmp_path)}",
         f"VENV={tmp_path}"],
        cwd=ROOT, env={**base, **environment}, capture_output=True, text=True, timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    ran = [line for line in result.stdout.splitlines()
           if line.startswith("DJANGO_DEBUG=") and "manage.py" in line]
    assert ran == [f"DJANGO_DEBUG={expected} manage.py {command}" for command in (
        "migrate --noinput", "seed_demo", "runserver 127.0.0.1:8000")]


# --- The API in production -------------------------------------------------------------

def api_answers(env: dict[str, str], *paths: str) -> list[str]:
    """Status and content type of an anonymous and a signed-out GET of each path."""
    result = run_manage("shell", "-v", "0", "-c", (
        "from django.test import Client;"
        "from django.conf import settings as s;"
        "host = s.ALLOWED_HOSTS[0].lstrip('.') if s.ALLOWED_HOSTS else 'testserver';"
        f"[print(r.status_code, r.headers.get('WWW-Authenticate', '-'))"
        f" for r in (Client().get(p, headers={{'accept': 'application/json'}}, secure=True,"
        f" HTTP_HOST=host) for p in {list(paths)!r})]"
    ), env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_it_keeps_the_schema_from_anonymous_callers_in_production(tmp_path):
    env = {**PROD, "BSC_VAR_DIR": str(tmp_path)}
    assert api_answers(env, "/api/v1/schema/", "/api/v1/teams/") == ["401 Token", "401 Token"]


@pytest.mark.parametrize("setting", [{"API_SCHEMA_PUBLIC": "true"}, DEMO])
def test_it_serves_the_schema_to_anyone_when_published_or_in_the_demo(tmp_path, setting):
    env = {**PROD, "BSC_VAR_DIR": str(tmp_path), **setting}
    if setting is DEMO:
        env["DJANGO_ALLOWED_HOSTS"] = "localhost"
    assert api_answers(env, "/api/v1/schema/", "/api/v1/teams/") == ["200 -", "401 Token"]


@pytest.mark.parametrize(("env", "renderers"), [
    (PROD, ["JSONRenderer"]),
    (DEMO, ["JSONRenderer", "BrowsableAPIRenderer"]),
])
def test_it_renders_the_browsable_api_only_in_the_demo(tmp_path, env, renderers):
    # Its inline styles break the Content Security Policy.
    result = run_manage("shell", "-v", "0", "-c", (
        "from django.conf import settings as s;"
        "print(*[r.rsplit('.', 1)[1] for r in s.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES']])"
    ), env={**env, "BSC_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == renderers
