"""Compare what the site references, what the bucket holds and what the index records."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Attr

from cblog.media.library import POST_FILE_FIELDS
from cblog.posts.models import Post
from cblog.users.models import User

PREFIX = "media/"
INCOMING_PREFIX = "incoming/"
# Like the bucket's lifecycle rule on incoming/ (template.yaml), for endpoints without one.
INCOMING_MAX_AGE = timedelta(days=1)


@dataclass
class Report:
    referenced: set[str] = field(default_factory=set)
    in_bucket: dict[str, dict[str, Any]] = field(default_factory=dict)
    indexed: set[str] = field(default_factory=set)

    @property
    def orphans(self) -> list[str]:
        """In the bucket, referenced by nothing: removed by ``--fix``."""
        return sorted(set(self.in_bucket) - self.referenced)

    @property
    def missing(self) -> list[str]:
        """Referenced by a post or profile, absent from the bucket: reported only."""
        return sorted(self.referenced - set(self.in_bucket))

    @property
    def unindexed(self) -> list[str]:
        """In the bucket, absent from the index: indexed by ``--fix``."""
        return sorted(set(self.in_bucket) - self.indexed)

    @property
    def stale(self) -> list[str]:
        """Live in the index, absent from the bucket: tombstoned by ``--fix``."""
        return sorted(self.indexed - set(self.in_bucket))

    def is_clean(self) -> bool:
        return not (self.orphans or self.missing or self.unindexed or self.stale)


def referenced_keys() -> Iterator[str]:
    """Object keys of every file a post or a profile points at."""
    for row in Post.objects.values_list(*POST_FILE_FIELDS).iterator():
        yield from (PREFIX + name for name in row if name)
    for name in User.objects.exclude(avatar="").values_list("avatar", flat=True).iterator():
        yield PREFIX + name


def bucket_objects(bucket: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    for summary in bucket.objects.filter(Prefix=PREFIX):
        yield (
            summary.key,
            {
                "size": summary.size,
                "etag": summary.e_tag.strip('"'),
                "last_modified": summary.last_modified,
            },
        )


def abandoned_uploads(bucket: Any, *, now: datetime | None = None) -> Iterator[str]:
    """Direct uploads under incoming/ never attached within ``INCOMING_MAX_AGE``."""
    cutoff = (now or datetime.now(UTC)) - INCOMING_MAX_AGE
    for summary in bucket.objects.filter(Prefix=INCOMING_PREFIX):
        if summary.last_modified < cutoff:
            yield summary.key


def indexed_keys(table: Any) -> Iterator[str]:
    # Only media/: the index also records derived/, incoming/ and operators' objects, which the
    # bucket listing here does not cover (they must never look stale).
    arguments: dict[str, Any] = {
        "FilterExpression": Attr("deleted").ne(True) & Attr("id").begins_with(PREFIX),
        "ProjectionExpression": "id",
    }
    while True:
        page = table.scan(**arguments)
        yield from (item["id"] for item in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return
        arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _owner_and_kind(key: str) -> tuple[str, str]:
    parts = key.split("/")
    return (parts[2], parts[1]) if len(parts) >= 4 else ("", "")


def index_object(table: Any, bucket_name: str, key: str, meta: dict[str, Any]) -> None:
    """Record an object the indexer missed, as the indexer would (no sequencer: time order)."""
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    owner, kind = _owner_and_kind(key)
    created = meta["last_modified"].astimezone(UTC).isoformat().replace("+00:00", "Z")
    table.put_item(
        Item={
            "id": key,
            "bucket": bucket_name,
            "size": meta["size"],
            "etag": meta["etag"],
            "owner": owner,
            "kind": kind,
            "created_at": created,
            "event_time": now,
            "event_name": "Reconcile:Indexed",
            "deleted": False,
            "time_order": f"{now}#0",
        },
    )


def tombstone(table: Any, key: str) -> None:
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    table.update_item(
        Key={"id": key},
        UpdateExpression="SET deleted = :t, deleted_at = :now, event_name = :name, "
        "time_order = :order",
        ExpressionAttributeValues={
            ":t": True,
            ":now": now,
            ":name": "Reconcile:Removed",
            ":order": f"{now}#1",
        },
    )


def chunks(items: Iterable[str], size: int = 1000) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
