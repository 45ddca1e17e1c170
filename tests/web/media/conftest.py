"""A media index table in moto's in-process DynamoDB, shaped like the SAM template's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cblog.media import index

TABLE = "cblog-media-index-test"


def create_index_table(resource: Any, name: str = TABLE) -> Any:
    return resource.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "owner", "AttributeType": "S"},
            {"AttributeName": "created_at", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "owner-index",
                "KeySchema": [
                    {"AttributeName": "owner", "KeyType": "HASH"},
                    {"AttributeName": "created_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )


@pytest.fixture
def media_index(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    settings.MEDIA_INDEX_TABLE = TABLE
    settings.AWS_REGION = "us-east-1"
    settings.AWS_ENDPOINT_URL = None
    index._table.cache_clear()
    with mock_aws():
        yield create_index_table(boto3.resource("dynamodb", region_name="us-east-1"))
    index._table.cache_clear()


@pytest.fixture
def put_entry(media_index: Any) -> Callable[..., dict[str, Any]]:
    """Write an index item as the media indexer would."""

    def put(owner: int, name: str, *, kind: str = "images", **extra: Any) -> dict[str, Any]:
        item = {
            "id": f"media/{kind}/{owner}/{name}",
            "owner": str(owner),
            "kind": kind,
            "bucket": "cblog-media",
            "size": 2048,
            "content_type": "image/jpeg",
            "created_at": extra.pop("created_at", "2026-11-20T10:00:00.000Z"),
            "deleted": False,
            **extra,
        }
        media_index.put_item(Item=item)
        return item

    return put
