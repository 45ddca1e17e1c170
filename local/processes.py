"""Start, wait for and stop the local helper processes (moto server, relay, web) by pid.

Shared by the local pipeline's tests, the end-to-end test and the measurement scripts.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now.

    From ``CBLOG_PORT_RANGE`` (e.g. ``18500-18599``) when set, so that people sharing a machine
    keep out of each other's way; else one the system picks.
    """
    first, _, last = os.environ.get("CBLOG_PORT_RANGE", "").partition("-")
    candidates = range(int(first), int(last) + 1) if last else [0]
    for port in random.sample(candidates, len(candidates)):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in CBLOG_PORT_RANGE={first}-{last}")


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def wait_for(check: Callable[[], object], timeout: float, what: str) -> None:
    """Poll ``check`` until it returns something truthy; ``TimeoutError`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: nothing after {timeout} s")
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if the process has not exited after ``timeout`` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


def start_moto(
    port: int, log: IO[str], env: Mapping[str, str] | None = None, timeout: float = 30
) -> subprocess.Popen[bytes]:
    """A moto server on 127.0.0.1:``port``, returned once it accepts connections."""
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=None if env is None else dict(env),
    )
    try:
        wait_for(lambda: listening(port) or server.poll() is not None, timeout, "moto server")
        if server.poll() is not None:
            raise RuntimeError(f"moto server exited with {server.returncode}")
    except Exception:
        stop(server)
        raise
    return server


@contextmanager
def moto_server(log_path: Path, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """A moto server on a free port for the ``with`` block; yields its endpoint URL."""
    port = free_port()
    with log_path.open("a") as log:
        server = start_moto(port, log, env=env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)


def isolated_env(endpoint: str, label: str) -> dict[str, str]:
    """Environment naming fresh resources on ``endpoint``, with dummy credentials.

    Each call gets its own bucket, table, queue and parameter prefix, so tests sharing one
    server never see each other's resources.
    """
    suffix = uuid.uuid4().hex[:8]
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "MEDIA_BUCKET": f"cblog-media-{suffix}",
        "MEDIA_INDEX_TABLE": f"cblog-media-index-{suffix}",
        "MEDIA_EVENTS_QUEUE": f"cblog-media-events-{suffix}",
        "SSM_PARAMETER_PREFIX": f"/cblog/{label}-{suffix}",
    }
