"""The media index's conditional write: every S3 object, in event order.

No AWS client is created here; the table is passed in, so every rule is testable against any
DynamoDB (moto in the tests, the real one on Lambda). Records are parsed by the shared
`s3records` package (functions/shared/, the pipeline's layer).
"""

from __future__ import annotations

import enum
from typing import Any

from botocore.exceptions import ClientError
from s3records import S3ObjectEvent, sequencer_order

# Applied only when the event is newer than what the item holds: by sequencer when both have
# one, otherwise by event time (moto's events carry no sequencer). An item without `time_order`
# holds no event yet: at most the renditions the deriver recorded before the indexer ran.
_NEWER = (
    "attribute_not_exists(#time) OR #seq < :seq OR (attribute_not_exists(#seq) AND #time < :time)"
)
_NEWER_WITHOUT_SEQUENCER = "attribute_not_exists(#time) OR #time < :time"
# What a create sets when known and removes when not (the item may hold an older version's).
_OPTIONAL = (
    "owner",
    "kind",
    "size",
    "etag",
    "content_type",
    "version_id",
    "sequencer",
    "seq_order",
)


class Outcome(enum.StrEnum):
    CREATED = "created"
    REMOVED = "removed"
    STALE = "stale"


def apply_event(table: Any, event: S3ObjectEvent, *, content_type: str | None = None) -> Outcome:
    """Write `event` to the index if it is newer than the stored state of its key.

    A create sets the item's attributes (keeping the deriver's `renditions`); a removal turns
    it into a tombstone (kept, so that a late and older create cannot bring the entry back).
    Owner and kind are absent for a key outside `media/<kind>/<user id>/`: such an item is
    listed by a scan (staff), never under a user in the owner index. Returns STALE for an
    event that is older than or equal to the stored one (duplicates, reordering). Any other
    DynamoDB error propagates, so Lambda retries; retrying is safe: every write is conditional.
    """
    values: dict[str, Any] = {":time": f"{event.event_time}#{int(event.removal)}"}
    names = {"#time": "time_order"}
    condition = _NEWER_WITHOUT_SEQUENCER
    if event.sequencer is not None:
        values[":seq"] = sequencer_order(event.sequencer)
        names["#seq"] = "seq_order"
        condition = _NEWER
    attributes: dict[str, Any] = {
        "bucket": event.bucket,
        "event_time": event.event_time,
        "event_name": event.event_name,
        "deleted": event.removal,
        "time_order": values[":time"],
    }
    if event.sequencer is not None:
        attributes |= {"sequencer": event.sequencer, "seq_order": values[":seq"]}
    known = {"owner": event.owner, "kind": event.kind, "version_id": event.version_id}
    attributes |= {k: v for k, v in known.items() if v is not None}
    try:
        if event.removal:
            _write_tombstone(table, event.key, attributes, names, values, condition)
            return Outcome.REMOVED
        created = {"created_at": event.event_time, **attributes}
        optional = {"size": event.size, "etag": event.etag, "content_type": content_type}
        created |= {k: v for k, v in optional.items() if v is not None}
        gone = [name for name in _OPTIONAL if name not in created] + ["deleted_at"]
        _update(table, event.key, created, gone, names, values, condition)
        return Outcome.CREATED
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return Outcome.STALE
        raise


def _write_tombstone(
    table: Any,
    key: str,
    attributes: dict[str, Any],
    names: dict[str, str],
    values: dict[str, Any],
    condition: str,
) -> None:
    """Mark `key` deleted, keeping what the create recorded (size, type, created_at)."""
    attributes = {**attributes, "deleted_at": attributes["event_time"]}
    # Ordered by time from now on when the removal has no sequencer; drop a stale one.
    gone = [] if "sequencer" in attributes else ["sequencer", "seq_order"]
    _update(table, key, attributes, gone, names, values, condition)


def _update(
    table: Any,
    key: str,
    attributes: dict[str, Any],
    gone: list[str],
    names: dict[str, str],
    values: dict[str, Any],
    condition: str,
) -> None:
    """One conditional UpdateItem: SET `attributes`, REMOVE `gone`, other attributes kept."""
    sets, removes = [], []
    for i, (name, value) in enumerate(attributes.items()):
        names[f"#a{i}"] = name
        values[f":a{i}"] = value
        sets.append(f"#a{i} = :a{i}")
    for i, name in enumerate(gone):
        names[f"#r{i}"] = name
        removes.append(f"#r{i}")
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    table.update_item(
        Key={"id": key},
        UpdateExpression=expression,
        ConditionExpression=condition,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )
