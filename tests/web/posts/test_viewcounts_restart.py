"""Views buffered in a gunicorn worker are written when it stops gracefully (SIGTERM).

A real gunicorn (web/gunicorn.conf.py) on a throwaway SQLite file.
"""

from __future__ import annotations

import http.client
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from local.processes import listening, wait_for

ROOT = Path(__file__).resolve().parents[3]
WEB = ROOT / "web"
PORTS = range(18150, 18200)  # this suite's loopback ports
CREATE_POST = """
from cblog.posts import services
from cblog.users.models import User
author = User.objects.create_user("author", "author@example.com", "x-very-long-password")
services.post_create(author=author, title="Counted", body="b", status="published")
"""


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(WEB / "manage.py"), *args], env=env, check=True)  # noqa: S603


def test_a_graceful_stop_writes_the_buffered_views(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    # The test settings (static files without collectstatic), with buffered view counting
    # whose interval is far longer than the test: only the write on the way out can count.
    (tmp_path / "restart_settings.py").write_text(
        "from cblog.settings.test import *  # noqa: F403\nVIEW_FLUSH_SECONDS = 3600\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": f"{tmp_path}{os.pathsep}{WEB}",
        "DJANGO_SETTINGS_MODULE": "restart_settings",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    env.pop("CACHE_URL", None)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "shell", "-c", CREATE_POST)
    port = next((p for p in PORTS if not listening(p)), None)
    if port is None:
        pytest.skip("no free port in 18150-18199")
    server = subprocess.Popen(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "gunicorn", "--config", str(WEB / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--worker-tmp-dir", str(tmp_path),
         "--pythonpath", str(WEB), "--access-logfile", os.devnull, "cblog.wsgi:application"],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for(lambda: listening(port), 30, "gunicorn")
        for _ in range(5):  # five new visitors (no cookie)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/posts/counted/", headers={"Host": "127.0.0.1"})
            assert connection.getresponse().status == 200
            connection.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    with sqlite3.connect(database) as db:
        (count,) = db.execute("SELECT view_count FROM posts_post WHERE slug = 'counted'").fetchone()
        (rows,) = db.execute("SELECT COUNT(*) FROM posts_postview").fetchone()
    assert (count, rows) == (5, 5)
