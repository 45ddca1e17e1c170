"""An unreachable MySQL fails the run in CI and skips it elsewhere (tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLOSED = "mysql://root@127.0.0.1:1/cblog"  # nothing listens on port 1


def _pytest(ci: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": CLOSED}
    env.pop("CI", None)
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/web/test_core_health.py",
            "-q",
            "-p",
            "no:cacheprovider",
            "--no-cov",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("ci", "returncode", "says"), [(True, 4, "unreachable"), (False, 0, "skipped")]
)
def test_unreachable_mysql(ci, returncode, says):
    result = _pytest(ci)
    assert result.returncode == returncode, result.stdout + result.stderr
    assert says in result.stdout + result.stderr
