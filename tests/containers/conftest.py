"""Fixtures for the tests that run the images on a real Docker engine (the Docker SDK).

Run them with `make image-test` / `make compose-test`, which start an engine when none answers
and make the base images available (``python -m local.containers``). Without an engine these
tests skip with that advice — except in CI (CI=true), where they fail.

- ``docker_client``: the engine ``DOCKER_HOST`` names.
- ``web_image`` / ``pipeline_image``: web/Dockerfile built (default and `pipeline` targets).
- ``containers``: starts containers (and user-defined networks: the private engine has no
  default bridge) for one test; removes them afterwards, and attaches each container's logs
  to the report when the test failed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docker
import pytest
from docker.errors import DockerException, NotFound

from tests.containers.support import Started, build

WEB_TAG = "cblog-web:test"
PIPELINE_TAG = "cblog-pipeline:test"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.docker)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def docker_client() -> Iterator[docker.DockerClient]:
    try:
        client = docker.from_env(timeout=300)
        client.ping()
    except DockerException as exc:
        message = f"no Docker engine answers ({exc}); run `make image-test` or `make compose-test`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    yield client
    client.close()


@pytest.fixture(scope="session")
def say(pytestconfig: pytest.Config) -> Callable[[str], None]:
    """Write a figure (build time, image size, ...) into the run's output, uncaptured."""
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")

    def write(line: str) -> None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"  {line}")

    return write


@pytest.fixture(scope="session")
def web_image(docker_client: docker.DockerClient, say: Callable[[str], None]) -> Any:
    image, seconds = build(docker_client, "runtime", WEB_TAG)
    say(f"built {WEB_TAG} in {seconds:.0f} s")
    return image


@pytest.fixture(scope="session")
def pipeline_image(docker_client: docker.DockerClient, say: Callable[[str], None]) -> Any:
    image, seconds = build(docker_client, "pipeline", PIPELINE_TAG)
    say(f"built {PIPELINE_TAG} in {seconds:.0f} s")
    return image


@pytest.fixture
def containers(
    docker_client: docker.DockerClient, request: pytest.FixtureRequest
) -> Iterator[Started]:
    started = Started(docker_client)
    yield started
    failed = getattr(request.node, "report_call", None)
    for container in reversed(started.items):
        try:
            if failed is not None and failed.failed:
                logs = container.logs(tail=200).decode(errors="replace")
                request.node.add_report_section("call", f"container {container.name}", logs)
            container.remove(force=True, v=True)
        except NotFound:
            pass
    for network in started.networks:
        network.remove()
