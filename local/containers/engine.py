"""A Docker engine: the one ``DOCKER_HOST`` (or the default socket) names, else a private one.

The private engine runs without systemd, iptables or the default bridge, on a socket of its
own, and is stopped by its pid when the ``with`` block ends, whatever happened inside. Its
data root outlives the run (``CBLOG_DOCKER_ROOT``, default ``/var/tmp/cblog-docker``), so base
images and build layers are cached between runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import docker
from docker.errors import DockerException

from local.processes import stop

DEFAULT_ROOT = Path("/var/tmp/cblog-docker")  # noqa: S108 - root-owned cache, kept on purpose
START_TIMEOUT = 60
STOP_TIMEOUT = 30


class EngineUnavailable(RuntimeError):
    """No Docker engine answers and none can be started here."""


def _answers(host: str | None) -> bool:
    try:
        client = docker.DockerClient(base_url=host) if host else docker.from_env()
        with closing(client):
            return bool(client.ping())
    except DockerException:
        return False


def _start_private(root: Path, log_path: Path) -> subprocess.Popen[bytes]:
    dockerd = shutil.which("dockerd")
    if dockerd is None:
        raise EngineUnavailable(
            "no Docker engine answers and dockerd is not installed "
            "(apt-get install docker.io docker-compose mmdebstrap)"
        )
    if os.geteuid() != 0:
        raise EngineUnavailable("no Docker engine answers, and starting dockerd needs root")
    root.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        return subprocess.Popen(  # noqa: S603 - dockerd from PATH, fixed arguments
            [
                dockerd,
                f"--data-root={root / 'data'}",
                f"--exec-root={root / 'x'}",
                f"--pidfile={root / 'dockerd.pid'}",
                f"--host=unix://{root / 'd.sock'}",
                "--iptables=false",
                "--ip6tables=false",
                "--bridge=none",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@contextmanager
def engine() -> Iterator[str]:
    """Yield a ``DOCKER_HOST`` value for a Docker engine that answers.

    An engine that already answers is used and left running; otherwise a private ``dockerd``
    is started for the ``with`` block and stopped by its pid afterwards.
    """
    configured = os.environ.get("DOCKER_HOST")
    if _answers(configured):
        yield configured or "unix:///var/run/docker.sock"
        return
    if configured:
        raise EngineUnavailable(f"DOCKER_HOST={configured} does not answer")
    root = Path(os.environ.get("CBLOG_DOCKER_ROOT", DEFAULT_ROOT))
    host = f"unix://{root / 'd.sock'}"
    if _answers(host):  # another run's private engine: share it, leave it to its owner
        yield host
        return
    log_path = root / "dockerd.log"
    process = _start_private(root, log_path)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(host):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-2000:]
                raise EngineUnavailable(f"dockerd did not start; its log ends:\n{tail}")
            time.sleep(0.2)
        yield host
    finally:
        stop(process, timeout=STOP_TIMEOUT)
