"""Fixtures for the media indexer: its modules, loaded as on Lambda (tests/functions/conftest.py
holds the sample events, the Lambda context and moto's AWS)."""

from __future__ import annotations

import mimetypes
import sys
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
import s3records

from tests.functions.conftest import BUCKET, load_function_modules

# The pure core now; app.py on first use, once the environment Lambda would set is in place
# (Powertools reads it when the module creates its Logger, Tracer and Metrics).
load_function_modules("media_indexer", ("indexing",), "indexing")


@pytest.fixture
def app(table: Any) -> Iterator[Any]:
    """The handler module, its cached AWS clients reset for this test's moto."""
    if "media_indexer_app" not in sys.modules:
        load_function_modules("media_indexer", ("indexing",), "app")
    module = sys.modules["media_indexer_app"]
    module._clients.cache_clear()
    yield module
    module._clients.cache_clear()


@pytest.fixture
def s3_objects(table: Any) -> Callable[[dict[str, Any]], None]:
    """Put every object an event creates into the bucket, so HeadObject finds it."""

    def put(event: dict[str, Any]) -> None:
        s3 = boto3.client("s3")
        for record in event.get("Records", []):
            if record["eventName"].startswith("ObjectCreated:"):
                key = s3records.decode_key(record["s3"]["object"]["key"])
                content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
                s3.put_object(Bucket=BUCKET, Key=key, Body=b"x", ContentType=content_type)

    return put
