"""The media index's pure core: key decoding, sequencer order and the conditional write.

No AWS client is created here; the table is passed in, so every rule is testable against any
DynamoDB (moto in the tests, the real one on Lambda). Records are parsed in `records.py`.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from records import MediaEvent

# Applied only when the event is newer than what the item holds: by sequencer when both have
# one, otherwise by event time (moto's events carry no sequencer).
_NEWER = (
    "attribute_not_exists(#id) OR #seq < :seq OR (attribute_not_exists(#seq) AND #time < :time)"
)
_NEWER_WITHOUT_SEQUENCER = "attribute_not_exists(#id) OR #time < :time"


class MalformedRecord(ValueError):
    """A record this indexer cannot interpret; logged and skipped, never retried."""


class Outcome(enum.StrEnum):
    CREATED = "created"
    REMOVED = "removed"
    STALE = "stale"


def decode_key(raw: str) -> str:
    """Decode an S3 event key: `+` is a space, `%XX` are UTF-8 bytes (`%2B` is `+`)."""
    return unquote_plus(raw, encoding="utf-8", errors="strict")


def sequencer_order(sequencer: str) -> str:
    """Map an S3 `sequencer` to a string whose plain ordering is the event order.

    S3's rule (user guide, "Event message structure"): sequencers of one key may differ in
    length; right-pad the shorter with zeros, then compare lexicographically. Padding with `0`,
    the smallest hex digit, orders exactly like dropping trailing zeros and comparing the rest,
    so this form works in a DynamoDB condition without knowing the other value's length.
    (Older guide versions said "left pad"; the current guide and AWS's Go and Rust event
    libraries say right-pad.)
    """
    digits = sequencer.strip().upper()
    if not digits or any(c not in "0123456789ABCDEF" for c in digits):
        raise MalformedRecord(f"not a hexadecimal sequencer: {sequencer!r}")
    return "S" + digits.rstrip("0")  # the prefix keeps an all-zero sequencer non-empty


def is_newer_sequencer(candidate: str, stored: str) -> bool:
    """True when `candidate` happened after `stored` (both raw S3 sequencers of one key)."""
    return sequencer_order(candidate) > sequencer_order(stored)


def apply_event(table: Any, event: MediaEvent, *, content_type: str | None = None) -> Outcome:
    """Write `event` to the index if it is newer than the stored state of its key.

    A create replaces the item; a removal turns it into a tombstone (kept, so that a late and
    older create cannot bring the entry back). Returns STALE for an event that is older than or
    equal to the stored one (duplicates, reordering). Any other DynamoDB error propagates, so
    Lambda retries; retrying is safe because every write is conditional.
    """
    values: dict[str, Any] = {":time": f"{event.event_time}#{int(event.removal)}"}
    names = {"#id": "id", "#time": "time_order"}
    condition = _NEWER_WITHOUT_SEQUENCER
    if event.sequencer is not None:
        values[":seq"] = sequencer_order(event.sequencer)
        names["#seq"] = "seq_order"
        condition = _NEWER
    attributes: dict[str, Any] = {
        "bucket": event.bucket,
        "owner": event.owner,
        "kind": event.kind,
        "event_time": event.event_time,
        "event_name": event.event_name,
        "deleted": event.removal,
        "time_order": values[":time"],
    }
    if event.sequencer is not None:
        attributes |= {"sequencer": event.sequencer, "seq_order": values[":seq"]}
    if event.version_id is not None:
        attributes["version_id"] = event.version_id
    try:
        if event.removal:
            _write_tombstone(table, event.key, attributes, names, values, condition)
            return Outcome.REMOVED
        item = {"id": event.key, "created_at": event.event_time, **attributes}
        optional = {"size": event.size, "etag": event.etag, "content_type": content_type}
        item |= {k: v for k, v in optional.items() if v is not None}
        table.put_item(
            Item=item,
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
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
    sets = []
    for i, (name, value) in enumerate(attributes.items()):
        names.setdefault(f"#a{i}", name)
        values[f":a{i}"] = value
        sets.append(f"#a{i} = :a{i}")
    expression = "SET " + ", ".join(sets)
    if "sequencer" not in attributes:  # ordered by time from now on; drop a stale sequencer
        names |= {"#rs": "sequencer", "#ro": "seq_order"}
        expression += " REMOVE #rs, #ro"
    table.update_item(
        Key={"id": key},
        UpdateExpression=expression,
        ConditionExpression=condition,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )
