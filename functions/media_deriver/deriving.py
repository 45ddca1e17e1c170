"""Where renditions go and how they are recorded: S3 keys, object metadata, the index write.

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


def is_derivable(source: S3ObjectEvent) -> bool:
    """An image the web app stored (media/images/ or media/avatars/) was created."""
    return (
        not source.removal
        and source.key.startswith("media/")
        and not source.key.startswith(DERIVED_PREFIX)
        and source.kind in DERIVED_KINDS
    )


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
            UpdateExpression="SET renditions = :r, #order = :order, renditions_etag = :etag",
            ConditionExpression=_NEWER,
            ExpressionAttributeNames={"#order": "renditions_order"},
            ExpressionAttributeValues={
                ":r": recorded,
                ":order": event_order(source),
                ":etag": source.etag or "",
            },
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return []
        raise
    return recorded
