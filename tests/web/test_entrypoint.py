"""The web image's contract (shared/DESIGN.md), checked without a Docker engine.

The Dockerfile is read statically (port, user, server options, health check, entry point);
the entry point itself runs for real: `docker-entrypoint.sh migrate` against a temporary
SQLite database, with the project's Python standing in for the image's.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "web" / "Dockerfile"
ENTRYPOINT = ROOT / "web" / "docker-entrypoint.sh"


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(
        r"\\\n",
        " ",
        "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")),
    )
    pairs = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def _final_stage(text: str) -> list[tuple[str, str]]:
    """The instructions of the last stage: what `docker build` without --target produces."""
    instructions = _instructions(text)
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


@pytest.fixture(scope="module")
def image() -> list[tuple[str, str]]:
    return _final_stage(DOCKERFILE.read_text())


def _args(image: list[tuple[str, str]], keyword: str) -> list[str]:
    return [rest for kw, rest in image if kw == keyword]


def test_the_image_is_python_313_slim_and_listens_on_8000(image):
    assert "python:3.13-slim" in DOCKERFILE.read_text()
    assert _args(image, "EXPOSE") == ["8000"]
    assert "--bind 0.0.0.0:8000" in ENTRYPOINT.read_text()


def test_the_image_runs_as_a_non_root_user(image):
    users = _args(image, "USER")
    assert users, "the final stage sets no USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    # Nothing after the last USER switches back.
    last_user = max(i for i, (kw, _) in enumerate(image) if kw == "USER")
    assert all(kw != "USER" for kw, _ in image[last_user + 1 :])


def test_only_the_locked_runtime_is_installed_and_static_files_are_collected():
    text = DOCKERFILE.read_text()
    assert re.search(r"pip install uv==\d+\.\d+\.\d+", text)
    assert "uv export --frozen --no-dev" in text
    assert "collectstatic --no-input" in text
    # The build-time dummy secret is a RUN-scoped variable, never an ENV of the image.
    env_lines = " ".join(rest for kw, rest in _instructions(text) if kw in {"ENV", "ARG"})
    assert "DJANGO_SECRET_KEY" not in env_lines
    assert "DATABASE_URL" not in env_lines


def test_gunicorn_keeps_connections_open_longer_than_the_alb_idle_timeout():
    script = ENTRYPOINT.read_text()
    assert "exec gunicorn cblog.wsgi:application" in script
    keep_alive = re.search(r"--keep-alive (\d+)", script)
    assert keep_alive, "no --keep-alive"
    assert int(keep_alive.group(1)) > 60
    assert "--access-logfile -" in script
    assert re.search(r'--workers "\$\{WEB_CONCURRENCY:-\d+\}"', script)
    assert "--forwarded-allow-ips" in script


def test_the_health_check_probes_healthz_without_curl(image):
    (healthcheck,) = _args(image, "HEALTHCHECK")
    assert "/healthz" in healthcheck
    assert '"python"' in healthcheck
    assert "curl" not in healthcheck


def test_the_entrypoint_serves_by_default_and_migrates_under_the_lock(image):
    assert _args(image, "ENTRYPOINT") == ['["/app/docker-entrypoint.sh"]']
    assert _args(image, "CMD") == ['["serve"]']
    assert os.access(ENTRYPOINT, os.X_OK)
    script = ENTRYPOINT.read_text()
    assert re.search(r"migrate\) exec python manage\.py migrate_locked", script)


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
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
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
