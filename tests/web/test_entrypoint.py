"""web/docker-entrypoint.sh without a Docker engine: its commands run for real with the
project's Python standing in for the image's, against a temporary SQLite database.

The image itself (built and run on a real engine) is tests/containers/test_web_image.py.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "web" / "docker-entrypoint.sh"


@pytest.fixture
def entrypoint_env(tmp_path: Path) -> dict[str, str]:
    """The image's environment, minus the image: the project's Python first on PATH."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "DB_", "SSM_"))
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["DJANGO_SECRET_KEY"] = "container-test-only"
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env["DJANGO_MEDIA_ROOT"] = str(tmp_path / "media")
    return env


def _entrypoint(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run web/docker-entrypoint.sh as the image would, with the project's Python."""
    return subprocess.run(  # noqa: S603
        ["bash", str(ENTRYPOINT), *args],  # noqa: S607
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_entrypoint_migrate_applies_every_migration_and_exits_0(tmp_path, entrypoint_env):
    # Run from elsewhere: the script finds manage.py from its own folder.
    run = _entrypoint(entrypoint_env, tmp_path, "migrate")
    assert run.returncode == 0, run.stderr
    assert "Applying posts.0001_initial... OK" in run.stdout
    with closing(sqlite3.connect(tmp_path / "db.sqlite3")) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        applied = db.execute("SELECT COUNT(*) FROM django_migrations").fetchone()[0]
    assert {"posts_post", "users_user", "django_session"} <= tables
    assert applied > 10

    again = _entrypoint(entrypoint_env, tmp_path, "migrate")
    assert again.returncode == 0, again.stderr
    assert "No migrations to apply." in again.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_entrypoint_passes_other_commands_to_manage_py(tmp_path, entrypoint_env):
    run = _entrypoint(entrypoint_env, tmp_path, "check", "--deploy", "--fail-level", "CRITICAL")
    assert run.returncode == 0, run.stderr
    # Production settings (base), not manage.py's default of `local`: DEBUG is off, so the
    # deployment check has nothing to say about it.
    assert "DEBUG" not in run.stdout + run.stderr
