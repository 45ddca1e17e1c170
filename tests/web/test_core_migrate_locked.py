"""`migrate_locked`: one migration at a time on MySQL/MariaDB, a plain migrate on SQLite.

The MySQL tests hold the real server lock from a second connection (PyMySQL, like another
instance booting) and watch the command wait for it; nothing is mocked.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator

import pymysql
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models.signals import pre_migrate

from cblog.core.management.commands.migrate_locked import LOCK_NAME

on_mysql = pytest.mark.skipif(
    connection.vendor != "mysql", reason="the migration lock exists on MySQL/MariaDB only"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite path")


def _other_instance() -> pymysql.connections.Connection:
    """A connection of its own to the same server, as another booting instance would have."""
    settings = connection.settings_dict
    return pymysql.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=int(settings["PORT"] or 3306),
        user=settings["USER"],
        password=settings["PASSWORD"] or "",
        autocommit=True,
    )


def _query(conn: pymysql.connections.Connection, sql: str) -> object:
    with conn.cursor() as cursor:
        cursor.execute(sql, [LOCK_NAME])
        return cursor.fetchone()[0]


@pytest.fixture
def other_instance() -> Iterator[pymysql.connections.Connection]:
    conn = _other_instance()
    yield conn
    conn.close()


def _migrate_locked(**options: object) -> str:
    out = io.StringIO()
    call_command("migrate_locked", stdout=out, **options)
    return out.getvalue()


@on_mysql
@pytest.mark.django_db
def test_migrates_while_holding_the_server_lock_and_releases_it(other_instance):
    seen_during_migrate: list[tuple[object, int]] = []

    def observe(**_kwargs: object) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT CONNECTION_ID()")
            (migrate_session,) = cursor.fetchone()
        holder = _query(other_instance, "SELECT IS_USED_LOCK(%s)")
        seen_during_migrate.append((holder, migrate_session))

    pre_migrate.connect(observe, weak=False, dispatch_uid="test-migrate-locked")
    try:
        output = _migrate_locked()
    finally:
        pre_migrate.disconnect(dispatch_uid="test-migrate-locked")

    assert seen_during_migrate, "migrate did not run"
    for holder, migrate_session in seen_during_migrate:
        assert holder is not None  # held while migrating ...
        # ... by a session of its own: a session lock dies with its session, and migrate may
        # close and reopen the default connection.
        assert holder != migrate_session
    assert "No migrations to apply." in output
    assert _query(other_instance, "SELECT IS_FREE_LOCK(%s)") == 1  # released afterwards


@on_mysql
@pytest.mark.django_db
def test_gives_up_with_a_clear_error_while_another_instance_holds_the_lock(other_instance):
    assert _query(other_instance, "SELECT GET_LOCK(%s, 0)") == 1
    migrated: list[object] = []
    pre_migrate.connect(
        lambda **_: migrated.append(1), weak=False, dispatch_uid="test-migrate-locked"
    )
    started = time.monotonic()
    try:
        with pytest.raises(CommandError, match=r"Could not take the migration lock .* within 1 s"):
            _migrate_locked(lock_timeout=1)
    finally:
        pre_migrate.disconnect(dispatch_uid="test-migrate-locked")
    assert time.monotonic() - started >= 0.9  # it waited the full timeout
    assert migrated == []  # and never started migrating
    assert _query(other_instance, "SELECT IS_USED_LOCK(%s)") == other_instance.thread_id()


@on_mysql
@pytest.mark.django_db
def test_waits_for_the_other_instance_then_finds_nothing_to_do(other_instance):
    assert _query(other_instance, "SELECT GET_LOCK(%s, 0)") == 1
    release = threading.Timer(1.5, _query, [other_instance, "SELECT RELEASE_LOCK(%s)"])
    release.start()
    started = time.monotonic()
    try:
        output = _migrate_locked(lock_timeout=30)
    finally:
        release.join()
    assert time.monotonic() - started >= 1.4  # blocked until the other instance let go
    assert "Took the migration lock" in output
    assert "No migrations to apply." in output


@on_sqlite
@pytest.mark.django_db
def test_on_sqlite_it_just_migrates():
    output = _migrate_locked()
    assert "Taking the migration lock" not in output
    assert "No migrations to apply." in output


@pytest.mark.django_db
def test_the_admin_role_without_app_credentials_just_migrates(settings):
    # Locally (DATABASE_URL) the app credentials are never read: nothing to provision.
    settings.DB_ROLE = "admin"
    settings.DB_APP_USER = settings.DB_APP_PASSWORD = ""
    output = _migrate_locked()
    assert "app database user" not in output
    assert "No migrations to apply." in output
