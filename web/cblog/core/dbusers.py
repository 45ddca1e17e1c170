"""The web tier's own MySQL user: it reads and writes rows of the app database, nothing more.

The RDS master user administers the server and runs migrations; the web processes connect as
an app user with DML on the app database only (no DDL, nothing global), so a compromised web
process cannot change the schema, read other databases or create users. `migrate_locked`,
run with DB_ROLE=admin at every release, calls `provision_app_user` under its lock before it
migrates: the first release creates the user, every later one sets the password again, so a
rotated `<prefix>/app-password` takes effect on the next release.
"""

from __future__ import annotations

import re
from typing import Any

APP_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
# Stricter than MySQL needs: the names go into statements, and `%` is a GRANT wildcard.
_USER_NAME = re.compile(r"^[A-Za-z0-9_]{1,32}$")
_DATABASE_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")


def provision_app_user(cursor: Any, *, user: str, password: str, database: str) -> bool:
    """Make ``'user'@'%'`` exist with ``password`` and DML on ``database``; True if created.

    ``cursor`` is a DB-API cursor (PyMySQL's, or Django's wrapper around it) of a user allowed
    to create users and grant. Running it again changes nothing but the password. Privileges
    granted by hand beyond these are left alone: revoking them here would also cut off the
    web processes still serving the previous release.
    """
    if not _USER_NAME.match(user):
        raise ValueError(f"unsupported database user name {user!r}: letters, digits and _ only")
    if not _DATABASE_NAME.match(database):
        raise ValueError(f"unsupported database name {database!r}: letters, digits and _ only")
    if not password:
        raise ValueError("the app user needs a password")
    cursor.execute("SELECT COUNT(*) FROM mysql.user WHERE User = %s AND Host = '%%'", [user])
    (existing,) = cursor.fetchone()
    verb = "ALTER" if existing else "CREATE"
    cursor.execute(f"{verb} USER %s@'%%' IDENTIFIED BY %s", [user, password])
    # In GRANT, `_` in a database name is a one-character wildcard: escaped, it is only itself.
    pattern = database.replace("_", r"\_")
    cursor.execute(f"GRANT {APP_PRIVILEGES} ON `{pattern}`.* TO %s@'%%'", [user])
    return not existing
