"""Fixtures for the infrastructure tests.

- ``templates``: every template of the stack, parsed with cfn-lint's YAML loader (short-form
  tags such as ``!Ref`` become ``{"Ref": ...}``), keyed ``root``, ``network``, ``database``,
  ``web`` and ``edge``.
- ``load_template(path)``: the same parser as a function, for tests that rewrite a template.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_FILES = {
    "root": ROOT / "template.yaml",
    "network": ROOT / "infra" / "network.yaml",
    "database": ROOT / "infra" / "database.yaml",
    "web": ROOT / "infra" / "web.yaml",
    "edge": ROOT / "infra" / "edge.yaml",
}


def load_template(path: Path) -> dict[str, Any]:
    """Parse a CloudFormation YAML file into plain dicts and lists (intrinsics in long form)."""
    return json.loads(json.dumps(cfn_yaml.load(str(path))))


@pytest.fixture(scope="session")
def templates() -> dict[str, dict[str, Any]]:
    return {name: load_template(path) for name, path in TEMPLATE_FILES.items()}


@pytest.fixture(scope="session", name="load_template")
def load_template_fixture() -> Callable[[Path], dict[str, Any]]:
    return load_template
