"""Fixtures for the infrastructure tests.

- ``templates``: every template of the stack, parsed with cfn-lint's YAML loader (short-form
  tags such as ``!Ref`` become ``{"Ref": ...}``), keyed ``root``, ``network``, ``database``,
  ``web``, ``edge`` and ``monitoring``.
- ``load_template(path)``: the same parser as a function, for tests that rewrite a template.
- ``render_sub(text, values)``: Fn::Sub's string form, as CloudFormation renders it.
- ``moto_endpoint``: a moto server on loopback for the AWS CLI that infra/deploy.sh drives.
- ``web_values`` / ``rendered_web_user_data``: sample values for the web stack's user data
  placeholders, and the script CloudFormation would hand an instance with them.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable, Iterator
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
    "cache": ROOT / "infra" / "cache.yaml",
    "edge": ROOT / "infra" / "edge.yaml",
    "monitoring": ROOT / "infra" / "monitoring.yaml",
}

PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_:.]+)\}")
WEB_VALUES = {
    "AWS::Region": "eu-west-1",
    "AWS::StackName": "cblog-WebStack-ABC123",
    "ProjectName": "cblog",
    "EnvironmentName": "prod",
    "NameSuffix": "1a2b3c4d",
    "WebImageUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/cblog-web:1.4.0",
    "SsmParameterPrefix": "/jane/capstone",
    "WebLogGroup": "/cblog/prod/web",
    "DomainName": "blog.example.com",
    "DbHost": "cblog-db.abcdefgh.eu-west-1.rds.amazonaws.com",
    "DbPort": "3306",
    "DbName": "cblog",
    "CacheHost": "master.cblog-cache.abc123.euw1.cache.amazonaws.com",
    "CachePort": "6379",
    "MediaBucketName": "cblog-prod-media-123456789012-1a2b3c4d",
    "MediaIndexTableName": "cblog-MediaIndexTable-XYZ",
}


def render_sub(text: str, values: dict[str, str]) -> str:
    """Render Fn::Sub's string form: every placeholder must have a value, as CloudFormation
    requires (an unknown name fails the stack, so it fails here too)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"Fn::Sub placeholder ${{{name}}} has no value"
        return values[name]

    return PLACEHOLDER.sub(replace, text)


def load_template(path: Path) -> dict[str, Any]:
    """Parse a CloudFormation YAML file into plain dicts and lists (intrinsics in long form)."""
    return json.loads(json.dumps(cfn_yaml.load(str(path))))


@pytest.fixture(scope="session")
def templates() -> dict[str, dict[str, Any]]:
    return {name: load_template(path) for name, path in TEMPLATE_FILES.items()}


@pytest.fixture(scope="session", name="load_template")
def load_template_fixture() -> Callable[[Path], dict[str, Any]]:
    return load_template


@pytest.fixture(scope="session", name="render_sub")
def render_sub_fixture() -> Callable[[str, dict[str, str]], str]:
    return render_sub


@pytest.fixture(scope="session")
def web_values() -> dict[str, str]:
    return dict(WEB_VALUES)


@pytest.fixture(scope="session")
def web_user_data(templates: dict[str, Any]) -> str:
    """The launch template's UserData as written (Fn::Sub's string form)."""
    data = templates["web"]["Resources"]["WebLaunchTemplate"]["Properties"]["LaunchTemplateData"]
    return data["UserData"]["Fn::Base64"]["Fn::Sub"]


@pytest.fixture(scope="session")
def rendered_web_user_data(web_user_data: str) -> str:
    return render_sub(web_user_data, WEB_VALUES)


@pytest.fixture
def moto_endpoint() -> Iterator[str]:
    """A moto server on loopback for the AWS CLI the helper drives, empty at the start (moto's
    state is per process, shared by every server and mock in it); reset and stopped after."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    _reset(endpoint)
    try:
        yield endpoint
    finally:
        _reset(endpoint)
        server.stop()


def _reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")  # noqa: S310
    urllib.request.urlopen(request, timeout=30).close()  # noqa: S310 - our loopback server
