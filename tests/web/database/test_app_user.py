"""The app database user: it reads and writes rows of the app database and can do nothing else.

`provision_app_user` runs for real, as an RDS-like administrator over verified TLS, against the
throw-away MariaDB server; the app user then connects (over TLS too) and is put to the test.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pymysql
import pytest
from pymysql.constants import ER

from cblog.core.dbusers import provision_app_user


@pytest.fixture
def app_database(tls_server, unique_name) -> Iterator[str]:
    """A database with one table, and a sibling whose name its `_` would match as a wildcard."""
    sibling = unique_name.replace("_", "X", 1)
    with tls_server.admin_connect() as conn, conn.cursor() as cursor:
        for name in (unique_name, sibling):
            cursor.execute(f"CREATE DATABASE `{name}`")
            cursor.execute(f"CREATE TABLE `{name}`.notes (id INT PRIMARY KEY, body VARCHAR(50))")
    yield unique_name
    with tls_server.admin_connect() as conn, conn.cursor() as cursor:
        for name in (unique_name, sibling):
            cursor.execute(f"DROP DATABASE `{name}`")


@pytest.fixture
def provision(tls_server, app_database):
    """``provision(password)`` as the administrator; the app user is dropped afterwards."""
    user = f"app_{uuid.uuid4().hex[:8]}"

    def run(password: str) -> tuple[str, bool]:
        with tls_server.admin_connect() as conn, conn.cursor() as cursor:
            created = provision_app_user(
                cursor, user=user, password=password, database=app_database
            )
        return user, created

    yield run
    with tls_server.admin_connect() as conn, conn.cursor() as cursor:
        cursor.execute("DROP USER IF EXISTS %s@'%%'", [user])


def _grants(tls_server, user: str) -> list[str]:
    with tls_server.admin_connect() as conn, conn.cursor() as cursor:
        cursor.execute("SHOW GRANTS FOR %s@'%%'", [user])
        return sorted(row[0] for row in cursor.fetchall())


def _password_hash(tls_server, user: str) -> str:
    with tls_server.admin_connect() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT authentication_string FROM mysql.user WHERE User = %s", [user])
        return cursor.fetchone()[0]


def _refused(conn: pymysql.Connection, sql: str) -> int:
    """The server's error code for ``sql``; fails the test if the statement succeeds."""
    with conn.cursor() as cursor, pytest.raises(pymysql.MySQLError) as refused:
        cursor.execute(sql)
    return refused.value.args[0]


def test_the_app_user_reads_and_writes_rows_and_nothing_else(tls_server, app_database, provision):
    user, created = provision("first-password")
    assert created
    with tls_server.connect(user, "first-password", database=app_database) as app:
        with app.cursor() as cursor:
            cursor.execute("INSERT INTO notes VALUES (1, 'hello')")
            cursor.execute("UPDATE notes SET body = 'hello again' WHERE id = 1")
            cursor.execute("SELECT body FROM notes")
            assert cursor.fetchall() == (("hello again",),)
            cursor.execute("DELETE FROM notes")
        denied = {ER.TABLEACCESS_DENIED_ERROR, ER.DBACCESS_DENIED_ERROR}
        assert _refused(app, "CREATE TABLE more (id INT)") in denied
        assert _refused(app, "DROP TABLE notes") in denied
        assert _refused(app, "ALTER TABLE notes ADD COLUMN extra INT") in denied
        assert _refused(app, "CREATE INDEX body ON notes (body)") in denied
        sibling = app_database.replace("_", "X", 1)  # `_` is matched literally in the grant
        assert _refused(app, f"SELECT * FROM `{sibling}`.notes") in denied  # noqa: S608 - a name made here
        assert _refused(app, "SELECT * FROM mysql.user") in denied
        assert _refused(app, "CREATE USER intruder") == ER.SPECIFIC_ACCESS_DENIED_ERROR
    assert _grants(tls_server, user) == sorted(
        [
            f"GRANT USAGE ON *.* TO `{user}`@`%` IDENTIFIED BY PASSWORD "
            f"'{_password_hash(tls_server, user)}'",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON `{app_database.replace('_', r'\_')}`.* "
            f"TO `{user}`@`%`",
        ]
    )


def test_a_second_run_changes_nothing_but_the_password(tls_server, provision):
    user, _ = provision("same-password")
    grants, password_hash = _grants(tls_server, user), _password_hash(tls_server, user)
    _, created = provision("same-password")
    assert not created
    assert _grants(tls_server, user) == grants
    assert _password_hash(tls_server, user) == password_hash


def test_a_rotated_password_takes_effect_and_the_old_one_stops_working(tls_server, provision):
    user, _ = provision("old-password")
    provision("new-password")
    with pytest.raises(pymysql.OperationalError) as refused:
        tls_server.connect(user, "old-password")
    assert refused.value.args[0] == ER.ACCESS_DENIED_ERROR
    with tls_server.connect(user, "new-password") as app, app.cursor() as cursor:
        cursor.execute("SELECT CURRENT_USER()")
        assert cursor.fetchone()[0] == f"{user}@%"


@pytest.mark.parametrize(
    ("user", "password", "database", "problem"),
    [
        ("app'; DROP USER root; --", "pw", "cblog", "user name"),
        ("cblog_app", "pw", "cblog%", "database name"),
        ("cblog_app", "pw", "a`b", "database name"),
        ("cblog_app", "", "cblog", "password"),
    ],
)
def test_names_that_could_change_the_statement_are_refused(user, password, database, problem):
    with pytest.raises(ValueError, match=problem):
        provision_app_user(None, user=user, password=password, database=database)
