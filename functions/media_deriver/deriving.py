"""Where renditions go and how they are recorded: S3 keys, object metadata, the index write,
and their removal with the original.

The S3 client and the index table are passed in (moto in the tests, the real ones on Lambda).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from s3records import sequencer_order

if TYPE_CHECKING:
    from renditions import Rendition
    from s3records import S3ObjectEvent

DERIVED_PREFIX = "derived/"
DERIVED_KINDS = frozenset({"images", "avatars"})
# Output keys never change for one original (its name is random and never reused): cache long.
CACHE_CONTROL = "public, max-age=31536000, immutable"
_NEWER = "attribute_not_exists(#order) OR #order < :order"
# A removal may be applied again (a redelivery, or a retry after a failed delete).
_NOT_OLDER = "attribute_not_exists(#order) OR #order <= :order"
# Appended to a removal's order: it sorts after the create of the same order (moto's event
# times can tie) and, being below every hex digit, before any later sequencer.
_REMOVAL = "#removed"


def is_derivable(source: S3ObjectEvent) -> bool:
    """An image the web app stored (media/images/ or media/avatars/) was created."""
    return (
        not source.removal
        and source.key.startswith("media/")
        and not source.key.startswith(DERIVED_PREFIX)
        and source.kind in DERIVED_KINDS
    )


def is_removed_image(source: S3ObjectEvent) -> bool:
    """An image the web app stored (media/images/ or media/avatars/) was removed."""
    return source.removal and source.key.startswith("media/") and source.kind in DERIVED_KINDS


def derived_key(original: str, name: str) -> str:
    """`media/images/42/a.jpg` + `480w.webp` -> `derived/images/42/a.jpg/480w.webp`."""
    return f"{DERIVED_PREFIX}{original.removeprefix('media/')}/{name}"


def event_order(source: S3ObjectEvent) -> str:
    """A string ordering this key's events: S3's sequencer, else the event time (moto)."""
    if source.sequencer is not None:
        return sequencer_order(source.sequencer)
    return "T" + source.event_time


def already_derived(table: Any, source: S3ObjectEvent) -> bool:
    """True when the index holds renditions of this event or a newer one (a redelivery)."""
    item = table.get_item(
        Key={"id": source.key},
        ProjectionExpression="renditions_order",
        ConsistentRead=True,
    ).get("Item")
    stored = item.get("renditions_order") if item else None
    return stored is not None and stored >= event_order(source)


def store(
    s3: Any, table: Any, source: S3ObjectEvent, outputs: list[Rendition]
) -> list[dict[str, Any]]:
    """Write `outputs` beside each other under derived/ and record them in the original's item.

    Returns what was recorded, or [] when a newer event's renditions got there first. The
    objects are written before the record, so a recorded rendition always exists.
    """
    recorded = []
    for output in outputs:
        key = derived_key(source.key, output.name)
        s3.put_object(
            Bucket=source.bucket,
            Key=key,
            Body=output.body,
            ContentType=output.content_type,  # from the encoder, never from the upload
            CacheControl=CACHE_CONTROL,
            ContentDisposition="inline",
        )
        recorded.append(
            {
                "key": key,
                "width": output.width,
                "height": output.height,
                "content_type": output.content_type,
            }
        )
    try:
        # UpdateItem creates the item when the indexer has not written it yet; the indexer
        # keeps `renditions` when it does.
        table.update_item(
            Key={"id": source.key},
            UpdateExpression=(
                "SET renditions = :r, #order = :order, renditions_etag = :etag"
                " REMOVE renditions_removed"
            ),
            ConditionExpression=_NEWER,
            ExpressionAttributeNames={"#order": "renditions_order"},
            ExpressionAttributeValues={
                ":r": recorded,
                ":order": event_order(source),
                ":etag": source.etag or "",
            },
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        # The original was removed while this image was being derived, and the removal may
        # have listed derived/ before these objects existed: take them away too.
        if _removed(table, source.key):
            for output in recorded:
                s3.delete_object(Bucket=source.bucket, Key=output["key"])
        return []
    return recorded


def record_removal(table: Any, source: S3ObjectEvent) -> bool:
    """Mark the original's renditions removed; False when a newer upload's are recorded.

    Recorded before the objects are deleted, so a create of the same or an older order that is
    still being derived finds it (`already_derived`, or `store`'s condition) and writes nothing.
    """
    try:
        table.update_item(
            Key={"id": source.key},
            UpdateExpression=(
                "SET #order = :order, renditions_removed = :removed"
                " REMOVE renditions, renditions_etag"
            ),
            ConditionExpression=_NOT_OLDER,
            ExpressionAttributeNames={"#order": "renditions_order"},
            ExpressionAttributeValues={":order": event_order(source) + _REMOVAL, ":removed": True},
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True


def still_exists(s3: Any, source: S3ObjectEvent) -> bool:
    """True when the key has a current object: the removal took an older version (a version
    expiring, or one deleted by id) and the renditions are the current object's.

    A listing rather than HeadObject: without a bucket-wide s3:ListBucket grant, S3 answers a
    HEAD of a missing key with 403, not 404.
    """
    listed = s3.list_objects_v2(Bucket=source.bucket, Prefix=source.key, MaxKeys=1)
    return any(obj["Key"] == source.key for obj in listed.get("Contents", []))


def remove_renditions(s3: Any, source: S3ObjectEvent) -> list[str]:
    """Delete every object under the original's derived/ folder; return the keys deleted.

    One DeleteObject per key (an image has a handful): each deletion is an S3 event of its
    own, so the indexer tombstones every rendition's index entry as it does any removal.
    """
    prefix = derived_key(source.key, "")
    deleted = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=source.bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            s3.delete_object(Bucket=source.bucket, Key=obj["Key"])
            deleted.append(obj["Key"])
    return deleted


def _removed(table: Any, key: str) -> bool:
    item = table.get_item(
        Key={"id": key}, ProjectionExpression="renditions_removed", ConsistentRead=True
    ).get("Item")
    return bool(item and item.get("renditions_removed"))
