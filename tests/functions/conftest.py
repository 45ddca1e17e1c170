"""Shared by the pipeline functions' tests: the shared layer (functions/shared/) on the import
path as on Lambda, the sample events of events/, a Lambda context and moto's AWS.

A function's modules import each other by plain name (`import indexing`), as Lambda loads them
from the package root. `load_function_modules` loads them once from functions/<name>/ and keeps
them in sys.modules only under unique names (`media_indexer_app`, `media_deriver_app`, ...), so
nothing called `app` leaks into the rest of the suite or collides between the two functions.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[2]
EVENTS_DIR = ROOT / "events"
SHARED_DIR = ROOT / "functions" / "shared"
if str(SHARED_DIR) not in sys.path:
    sys.path.insert(0, str(SHARED_DIR))
TABLE = "media-index-test"
BUCKET = "cblog-media-local"  # the bucket the sample events name


def load_function_modules(function: str, siblings: tuple[str, ...], *names: str) -> None:
    """Load functions/<function>/<name>.py as `<function>_<name>`, its `siblings` importable
    by plain name while they load (as on Lambda), and by nothing else afterwards."""
    function_dir = ROOT / "functions" / function
    saved = {name: sys.modules.pop(name, None) for name in (*siblings, "app")}
    for name in siblings:  # siblings already loaded, visible by plain name
        if f"{function}_{name}" in sys.modules:
            sys.modules[name] = sys.modules[f"{function}_{name}"]
    try:
        for name in names:
            spec = importlib.util.spec_from_file_location(
                f"{function}_{name}", function_dir / f"{name}.py"
            )
            assert spec is not None
            assert spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = sys.modules[name] = module
            spec.loader.exec_module(module)
    finally:
        for name, previous in saved.items():
            if previous is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = previous


def read_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS_DIR / name).read_text(encoding="utf-8"))


@pytest.fixture
def load_event() -> Callable[[str], dict[str, Any]]:
    """`load_event("s3_put.json")` -> the parsed sample event from events/."""
    return read_event


@dataclass
class FakeLambdaContext:
    """What Lambda passes as `context` (mocked: Lambda itself does not run here)."""

    function_name: str = "MediaIndexerFunction"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:MediaIndexer"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials and the functions' environment; never a real endpoint."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "MEDIA_INDEX_TABLE": TABLE,
        "POWERTOOLS_SERVICE_NAME": "media-indexer",
        "POWERTOOLS_METRICS_NAMESPACE": "cblog",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def create_index_table(dynamodb: Any, name: str = TABLE) -> Any:
    """The index table exactly as local.bootstrap (and template.yaml) define it."""
    if str(ROOT) not in sys.path:
        sys.path.append(str(ROOT))  # `local` is a package at the repository root
    from local.resources import INDEX_TABLE

    dynamodb.create_table(TableName=name, **INDEX_TABLE)
    return boto3.resource("dynamodb").Table(name)


@pytest.fixture
def new_index_table() -> Callable[..., Any]:
    """Create the index table in whichever moto context is active."""
    return create_index_table


@pytest.fixture
def table(aws_env: None) -> Iterator[Any]:
    """The index table and the media bucket in moto's in-process AWS."""
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        yield create_index_table(boto3.client("dynamodb"))
