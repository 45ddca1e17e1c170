"""Helpers of the container tests: started containers, HTTP, polling, the database."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import docker
import pytest
from docker.errors import BuildError
from docker.models.containers import Container

from local.containers.images import ROOT, compose_image


def build(client: docker.DockerClient, target: str, tag: str) -> tuple[Any, float]:
    """Build web/Dockerfile's ``target`` as ``tag``; return the image and the seconds it took."""
    started = time.monotonic()
    try:
        image, _ = client.images.build(
            path=str(ROOT),
            dockerfile="web/Dockerfile",
            target=target,
            tag=tag,
            network_mode="host",  # the private engine has no bridge; the build reaches PyPI
            rm=True,
            forcerm=True,
        )
    except BuildError as exc:
        log = "".join(str(line.get("stream", line.get("error", ""))) for line in exc.build_log)
        pytest.fail(f"docker build --target {target} failed:\n{log[-5000:]}")
    return image, time.monotonic() - started


@dataclass
class Started:
    """What one test (or module) started: removed afterwards, containers first."""

    client: docker.DockerClient
    items: list[Container] = field(default_factory=list)
    networks: list[Any] = field(default_factory=list)

    def network(self) -> str:
        """A new user-defined network; containers on it reach each other by name."""
        network = self.client.networks.create(f"cblog-test-{uuid.uuid4().hex[:8]}")
        self.networks.append(network)
        return network.name

    def run(self, image: Any, command: Any = None, **options: Any) -> Container:
        """``docker run -d``: the container, registered for logs and removal."""
        options.setdefault("name", f"cblog-test-{uuid.uuid4().hex[:8]}")
        container = self.client.containers.run(image, command, detach=True, **options)
        self.items.append(container)
        return container

    def once(self, image: Any, command: Any = None, timeout: int = 180, **options: Any) -> Any:
        """``docker run``: wait for the container; return (exit status, output)."""
        container = self.run(image, command, **options)
        status = container.wait(timeout=timeout)["StatusCode"]
        return status, container.logs().decode(errors="replace")


def get(url: str, headers: dict[str, str] | None = None, timeout: float = 10) -> Any:
    """GET ``url``; return (status, headers, body) whatever the status."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def wait_until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``check`` until it returns something truthy; fail the test after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except OSError:
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(0.25)


def published_port(container: Container, port: str = "8000/tcp") -> int:
    container.reload()
    return int(container.ports[port][0]["HostPort"])


DB_ROOT_PASSWORD = "container-test-root"


def start_database(started: Started, network: str) -> Container:
    """The compose file's database image on ``network`` (reachable by its container name),
    once it answers."""
    db = started.run(
        compose_image("db"),
        ["--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci"],
        environment={"MYSQL_ROOT_PASSWORD": DB_ROOT_PASSWORD},
        network=network,
    )
    wait_until(lambda: mysql(db, "SELECT 1")[0] == 0, 120, "the database answers")
    return db


def mysql(db: Container, sql: str) -> tuple[int, str]:
    """Run ``sql`` as root inside the database container."""
    result = db.exec_run(
        ["mysql", "-uroot", f"-p{DB_ROOT_PASSWORD}", "-h127.0.0.1", "-N", "-e", sql]
    )
    return result.exit_code, result.output.decode(errors="replace")
