"""Reads from the DynamoDB media index that the media indexer Lambda writes.

Items are keyed on ``id`` (the object key); the ``owner-index`` GSI (partition ``owner``, the
user id; sort ``created_at``) answers "my media" with a query, never a scan.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

OWNER_INDEX = "owner-index"
PAGE_SIZE = 50


class MediaIndexUnavailable(Exception):
    """The index cannot be read now (not configured, unreachable, throttled...)."""


@dataclass(frozen=True)
class MediaEntry:
    key: str
    owner: str
    kind: str
    size: int | None
    content_type: str
    created_at: datetime | None
    # What the media deriver made of it: ({"key", "width", "height", ...}, ...), served first.
    renditions: tuple[dict[str, Any], ...] = ()

    @property
    def storage_name(self) -> str:
        """The name Django's storage uses: the key without the storage's ``media/`` location."""
        return self.key.removeprefix("media/")


@dataclass(frozen=True)
class MediaPage:
    entries: list[MediaEntry]
    next_cursor: str | None


@cache
def _table(name: str, region: str, endpoint_url: str | None) -> Any:
    # Short timeouts and few retries: a slow index must not hold a web worker for long.
    config = Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 2})
    resource = boto3.resource(
        "dynamodb", region_name=region, endpoint_url=endpoint_url, config=config
    )
    return resource.Table(name)


def media_table() -> Any:
    if not settings.MEDIA_INDEX_TABLE:
        raise MediaIndexUnavailable("MEDIA_INDEX_TABLE is not configured")
    return _table(settings.MEDIA_INDEX_TABLE, settings.AWS_REGION, settings.AWS_ENDPOINT_URL)


def _entry(item: dict[str, Any]) -> MediaEntry:
    created = item.get("created_at") or item.get("event_time")
    try:
        created_at = datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None
    except ValueError:
        created_at = None
    size = item.get("size")
    return MediaEntry(
        key=item["id"],
        owner=str(item.get("owner", "")),
        kind=str(item.get("kind", "")),
        size=int(size) if size is not None else None,
        content_type=str(item.get("content_type", "")),
        created_at=created_at,
        renditions=tuple(item.get("renditions") or ()),
    )


def _encode_cursor(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, default=str).encode()).decode()


def _decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        return None
    return key if isinstance(key, dict) else None


def media_list(*, owner_id: int | None, cursor: str | None = None) -> MediaPage:
    """Live (not deleted) entries, newest first; ``owner_id=None`` lists everyone's (staff).

    Raises ``MediaIndexUnavailable`` when the index cannot be read.
    """
    arguments: dict[str, Any] = {
        "Limit": PAGE_SIZE,
        "FilterExpression": Attr("deleted").ne(True),
    }
    start = _decode_cursor(cursor)
    if start:
        arguments["ExclusiveStartKey"] = start
    try:
        table = media_table()
        if owner_id is None:
            response = table.scan(**arguments)
        else:
            response = table.query(
                IndexName=OWNER_INDEX,
                KeyConditionExpression=Key("owner").eq(str(owner_id)),
                ScanIndexForward=False,
                **arguments,
            )
    except (BotoCoreError, ClientError) as exc:
        raise MediaIndexUnavailable(str(exc)) from exc
    entries = [_entry(item) for item in response.get("Items", [])]
    if owner_id is None:
        entries.sort(key=lambda e: e.created_at.timestamp() if e.created_at else 0, reverse=True)
    return MediaPage(entries=entries, next_cursor=_encode_cursor(response.get("LastEvaluatedKey")))


def media_get(key: str) -> MediaEntry | None:
    """The live entry of object ``key``, or None (never indexed, or deleted).

    Raises ``MediaIndexUnavailable`` when the index cannot be read.
    """
    try:
        item = media_table().get_item(Key={"id": key}, ConsistentRead=True).get("Item")
    except (BotoCoreError, ClientError) as exc:
        raise MediaIndexUnavailable(str(exc)) from exc
    if not item or item.get("deleted") is True:
        return None
    return _entry(item)
