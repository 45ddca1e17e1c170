"""Fixtures for the media deriver: its modules, loaded as on Lambda (tests/functions/conftest.py
holds the sample events, the Lambda context and moto's AWS)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.functions.conftest import load_function_modules

SIBLINGS = ("renditions", "deriving")
load_function_modules("media_deriver", SIBLINGS, *SIBLINGS)


@pytest.fixture
def app(table: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The handler module, its cached AWS clients reset for this test's moto."""
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "media-deriver")
    if "media_deriver_app" not in sys.modules:
        load_function_modules("media_deriver", SIBLINGS, "app")
    module = sys.modules["media_deriver_app"]
    module._clients.cache_clear()
    yield module
    module._clients.cache_clear()
