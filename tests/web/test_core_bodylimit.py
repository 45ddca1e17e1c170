"""Request bodies are capped: an oversized one is refused before it is read.

In-process through the test client, and against a real gunicorn serving the app with
web/gunicorn.conf.py: a POST announcing 300 MB gets its 413 after a few kilobytes have been
sent, quickly, and the worker's memory does not grow.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse

from local.processes import free_port, listening, stop, wait_for

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


@pytest.mark.django_db
def test_a_body_over_the_cap_is_refused_with_413(client, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    response = client.post(reverse("users:login"), {"username": "x" * 2000, "password": "y"})
    assert response.status_code == 413
    assert "Request too large" in response.content.decode()


@pytest.mark.django_db
def test_a_body_within_the_cap_is_served(client, settings, user, password):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    response = client.post(
        reverse("users:login"), {"username": user.username, "password": password}
    )
    assert response.status_code == 302


def test_the_default_cap_fits_one_image_form_and_no_more(settings):
    assert (
        settings.IMAGE_MAX_BYTES < settings.REQUEST_BODY_MAX_BYTES <= 2 * settings.IMAGE_MAX_BYTES
    )
    assert settings.REQUEST_BODY_MAX_BYTES < settings.VIDEO_MAX_BYTES


def _worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise LookupError("VmRSS")


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[tuple[int, int]]:
    """The app under gunicorn (the image's config, one worker) on 127.0.0.1: (port, worker)."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "cblog.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "WEB_CONCURRENCY": "1",
    }
    with (tmp_path / "gunicorn.log").open("wb") as log:
        master = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "web/gunicorn.conf.py",
                "--chdir",
                "web",
                "--bind",
                f"127.0.0.1:{port}",
                "--worker-tmp-dir",
                str(tmp_path),
                "cblog.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: listening(port) or master.poll() is not None, 60, "gunicorn")
        assert master.poll() is None, (tmp_path / "gunicorn.log").read_text()
        wait_for(
            lambda: Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text(), 30, "worker"
        )
        yield port, _worker_pid(master.pid)
    finally:
        stop(master)


def test_gunicorn_refuses_an_oversized_upload_before_reading_it(gunicorn):
    port, worker = gunicorn
    # The worker imports Django on its first request: allow for a busy machine.
    with socket.create_connection(("127.0.0.1", port), timeout=60) as warm:
        warm.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        assert b"200 OK" in warm.recv(4096)
    before = _rss_kb(worker)

    announced = 300 * MB
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            + f"Content-Length: {announced}\r\n\r\n".encode()
        )
        conn.sendall(b"\0" * (256 * 1024))  # a first part of the body, then stop sending
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = conn.recv(4096)
            if not chunk:
                break
            response += chunk
        seconds = time.monotonic() - started
        # The server closes the connection instead of reading the other 299.75 MB.
        conn.settimeout(5)
        rest = b""
        while chunk := conn.recv(65536):
            rest += chunk
    assert response.startswith(b"HTTP/1.1 413"), response[:200]
    assert seconds < 2, f"the 413 took {seconds:.1f} s"
    assert _rss_kb(worker) - before < 5 * 1024, "the worker grew while refusing the body"
