"""Suite-wide setup: when DATABASE_URL names MySQL, the server must answer.

Locally an unreachable server skips every test with a clear reason; in CI (CI=true) it is a
usage error, so a MariaDB that did not start can never pass as green.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pymysql
import pytest

_unreachable: str | None = None


def _mysql_problem(url: str) -> str | None:
    parts = urlsplit(url)
    try:
        pymysql.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 3306,
            user=parts.username or "root",
            password=parts.password or "",
            connect_timeout=5,
        ).close()
    except Exception as exc:  # any failure to connect means "unreachable" here
        return f"MySQL at {parts.hostname}:{parts.port or 3306} is unreachable: {exc}"
    return None


def pytest_configure(config: pytest.Config) -> None:
    global _unreachable
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("mysql"):
        return
    _unreachable = _mysql_problem(url)
    if _unreachable and os.environ.get("CI") == "true":
        raise pytest.UsageError(_unreachable)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _unreachable:
        skip = pytest.mark.skip(reason=f"skipping the MySQL run: {_unreachable}")
        for item in items:
            item.add_marker(skip)
