"""`migrate`, once per release however many instances start at the same time.

MySQL has no transactional DDL, so two instances migrating together can leave a half-applied
migration behind. On MySQL/MariaDB this command takes a named server lock (`GET_LOCK`) on a
connection of its own, runs `migrate --no-input` while holding it and releases it; instances
that start meanwhile wait for the lock, then find nothing left to do. A dedicated connection
keeps the lock independent of whatever `migrate` does with the default connection (a session
lock dies with its session). SQLite is one file on one host: it just migrates.

Run as the database administrator (DB_ROLE=admin, the release's migrate step on AWS) with the
app user's credentials configured, it first provisions that user under the same lock
(`cblog.core.dbusers`), so the web processes never need the master password.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from cblog.core.dbusers import APP_PRIVILEGES, provision_app_user

LOCK_NAME = "cblog-migrate"
DEFAULT_TIMEOUT = 300  # seconds: longer than any migration this project ships


class Command(BaseCommand):
    help = "Apply migrations under a database lock (MySQL/MariaDB), so concurrent starts wait."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--lock-timeout",
            type=int,
            default=DEFAULT_TIMEOUT,
            metavar="SECONDS",
            help=f"how long to wait for another instance's migration (default {DEFAULT_TIMEOUT})",
        )

    def handle(self, *args: Any, database: str, lock_timeout: int, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        if connections[database].vendor != "mysql":
            self._migrate(database)
            return
        # A copy of the alias's connection: same server and credentials, its own session.
        lock_connection = connections[database].copy()
        try:
            self._acquire(lock_connection, lock_timeout)
            try:
                self._provision_app_user(lock_connection)
                self._migrate(database)
            finally:
                with lock_connection.cursor() as cursor:
                    cursor.execute("SELECT RELEASE_LOCK(%s)", [LOCK_NAME])
        finally:
            lock_connection.close()

    def _acquire(self, lock_connection: Any, timeout: int) -> None:
        started = time.monotonic()
        if self.verbosity >= 1:
            self.stdout.write(f"Taking the migration lock '{LOCK_NAME}' (waits up to {timeout} s)")
        with lock_connection.cursor() as cursor:
            cursor.execute("SELECT GET_LOCK(%s, %s)", [LOCK_NAME, timeout])
            (acquired,) = cursor.fetchone()
        if acquired != 1:
            # 0: timed out; NULL: the server refused (out of memory, killed thread).
            raise CommandError(
                f"Could not take the migration lock '{LOCK_NAME}' within {timeout} s: another "
                "instance is still migrating (or the server refused the lock). Nothing was "
                "migrated; retry once it has finished."
            )
        if self.verbosity >= 1:
            waited = time.monotonic() - started
            self.stdout.write(f"Took the migration lock after {waited:.1f} s.")

    def _provision_app_user(self, lock_connection: Any) -> None:
        user, password = settings.DB_APP_USER, settings.DB_APP_PASSWORD
        if settings.DB_ROLE != "admin" or not user:
            return
        admin, name = lock_connection.settings_dict["USER"], lock_connection.settings_dict["NAME"]
        if user == admin:
            raise CommandError(
                f"The app database user '{user}' is the administrator itself: give "
                "<prefix>/app-username a name of its own. Nothing was migrated."
            )
        with lock_connection.cursor() as cursor:
            created = provision_app_user(cursor, user=user, password=password, database=name)
        if self.verbosity >= 1:
            done = "Created" if created else "Updated the password of"
            self.stdout.write(
                f"{done} the app database user '{user}' ({APP_PRIVILEGES} on {name})."
            )

    def _migrate(self, database: str) -> None:
        # The streams under this command's wrappers: wrapped twice, migrate's "Applying x..."
        # and its " OK" would land on separate lines.
        call_command(
            "migrate",
            database=database,
            interactive=False,
            verbosity=self.verbosity,
            stdout=self.stdout._out,
            stderr=self.stderr._out,
        )
