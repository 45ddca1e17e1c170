"""Suite-wide setup: when DATABASE_URL names MySQL, the server must answer.

Locally an unreachable server skips the run with a clear message; in CI (CI=true) it fails,
so a MariaDB that did not start can never pass as green.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest


def pytest_configure(config: pytest.Config) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("mysql"):
        return
    parts = urlsplit(url)
    import pymysql

    try:
        pymysql.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 3306,
            user=parts.username or "root",
            password=parts.password or "",
            connect_timeout=5,
        ).close()
    except pymysql.err.OperationalError as exc:
        message = f"MySQL at {parts.hostname}:{parts.port} is unreachable: {exc}"
        if os.environ.get("CI") == "true":
            raise pytest.UsageError(message) from exc
        pytest.exit(f"skipping the MySQL run: {message}", returncode=0)
