"""The restore drill (issue #10): `make backup` dumps the database, `make restore` puts it
into a new database, and the portal serves the same data from it — the same rows in every
table, the same team page for its advisor, and new rows still get fresh ids.

Needs PostgreSQL (`make test` starts it). The data is committed (transactional_db), so
pg_dump, another process, sees it."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from collaboratives.models import ChangeIdea
from pdsa.models import Cycle
from teams.models import Organization
from tests.factories import MeasureFactory, MeasureValueFactory

REPO = Path(__file__).resolve().parent.parent
# What differs between two renders of one page by design: per-request nonces and CSRF tokens.
PER_REQUEST = re.compile(r'(nonce|csrfmiddlewaretoken" value|data-csrf)="[^"]*"')


def database_url(name: str) -> str:
    return urlsplit(settings.DATABASE_URL)._replace(path="/" + name).geturl()


def table_counts(url: str) -> dict[str, int]:
    with psycopg2.connect(url) as db, db.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    db.close()
    return counts


def run(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(REPO / "scripts" / script), *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "DATABASE_URL": database_url(
                              connection.settings_dict["NAME"])})


def drop_database(name: str) -> None:
    db = psycopg2.connect(database_url("postgres"))
    db.autocommit = True  # DROP DATABASE runs outside a transaction
    try:
        with db.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        db.close()


@pytest.fixture
def restored_name(transactional_db: None) -> Iterator[str]:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (`make test` starts it)")
    name = connection.settings_dict["NAME"] + "_restored"
    drop_database(name)
    yield name
    drop_database(name)


@pytest.fixture
def seeded(world) -> None:
    """The world, and a month of work in team A: a cycle and measure values."""
    idea = ChangeIdea.objects.create(collaborative=world.collaborative, title="Visual schedules")
    Cycle.objects.create(team=world.team_a, created_by=world.member_a, lead=world.member_a,
                         change_idea=idea, title="Picture schedule at arrival",
                         prediction="Fewer children will ask what comes next.")
    measure = MeasureFactory(collaborative=world.collaborative, name="Fidelity")
    for month in (1, 2, 3):
        MeasureValueFactory(team=world.team_a, measure=measure, month=datetime.date(2026, month, 1))


def team_page(world, database: str | None = None) -> str:
    """The team page as its advisor sees it, served from ``database`` (default: the test's)."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = database or original
    try:
        client = Client()
        client.force_login(world.advisor)
        response = client.get(world.team_a.get_absolute_url())
        assert response.status_code == 200
        if database:  # the sequences came along: a new row gets a fresh id
            Organization.objects.create(name="Restored Oaks", kind="head_start", city="Durham", state="NC")
        return PER_REQUEST.sub("", response.text)
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


def test_a_backup_restored_into_a_new_database_serves_the_same_data(world, seeded, restored_name,
                                                                     tmp_path):
    before = table_counts(database_url(connection.settings_dict["NAME"]))
    dump = tmp_path / "bsc.dump"

    backup = run("backup.sh", str(dump))
    assert backup.returncode == 0, backup.stderr
    assert dump.stat().st_mode & 0o077 == 0  # readable by its owner only
    restore = run("restore.sh", str(dump), database_url(restored_name))
    assert restore.returncode == 0, restore.stderr
    assert "the schema matches this code" in restore.stderr

    after = table_counts(database_url(restored_name))
    assert after == before
    assert (before["pdsa_cycle"], before["measures_measurevalue"]) == (1, 3)
    assert team_page(world, restored_name) == team_page(world)

    # Restoring over a database that has data is refused, and changes nothing.
    again = run("restore.sh", str(dump), database_url(restored_name))
    assert again.returncode != 0
    assert "--force" in again.stderr
    assert table_counts(database_url(restored_name))["teams_organization"] == after["teams_organization"] + 1


def test_backup_and_restore_refuse_sqlite_and_say_what_to_do(tmp_path):
    env = {**os.environ, "DATABASE_URL": "sqlite:///var/db.sqlite3"}
    for script, args in (("backup.sh", []), ("restore.sh", [str(REPO / "README.md")])):
        result = subprocess.run(["bash", str(REPO / "scripts" / script), *args], env=env,
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 1
        assert "var/db.sqlite3" in result.stderr
