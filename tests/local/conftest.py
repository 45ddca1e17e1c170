"""A moto server on a free loopback port, shared by the local-pipeline tests.

Each test gets its own bucket, table, queue and parameter prefix on it, so tests do not see
each other's resources. The server is started here and stopped by its pid afterwards.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # `local` is a package at the repository root

from local.bootstrap import Settings  # noqa: E402
from local.processes import isolated_env, moto_server  # noqa: E402


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with moto_server(tmp_path_factory.mktemp("moto") / "moto.log") as endpoint:
        yield endpoint


@pytest.fixture
def local_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment naming fresh resources on the local endpoint, with dummy credentials."""
    env = isolated_env(moto_endpoint, "test")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def settings(local_env: dict[str, str]) -> Settings:
    return Settings.from_env(os.environ)
