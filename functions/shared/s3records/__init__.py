"""S3 event records for every function of the media pipeline (a Lambda layer).

One raw record in, one validated `S3ObjectEvent` out, or `MalformedRecord`: a record of an S3
event notification (what S3 sends to Lambda, SQS or SNS) or an S3 event delivered by
EventBridge (one object per event; how the deriver hears of uploads on AWS). The indexer and the
deriver both parse records here, so key decoding, the `media/<kind>/<user id>/<name>` layout and
the sequencer rule are written once. Pure: no AWS client, no Powertools.

On Lambda this folder is the `S3RecordsLayer` (template.yaml), importable as `s3records`; locally
the relay, `make invoke` and the tests put `functions/shared/` on the import path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

KINDS = frozenset({"images", "videos", "avatars"})
_REMOVAL_PREFIXES = ("ObjectRemoved:", "LifecycleExpiration:")


class MalformedRecord(ValueError):
    """A record no function can interpret; logged and skipped, never retried."""


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


def normalize_time(value: str) -> str:
    """ISO-8601 in UTC with milliseconds and `Z`, so string order is time order."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise MalformedRecord(f"bad eventTime: {value!r}") from exc
    if moment.tzinfo is None:
        raise MalformedRecord(f"eventTime without a time zone: {value!r}")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_key(key: str) -> tuple[str | None, str | None]:
    """(kind, owner) from the web app's layout `media/<kind>/<user id>/<name>`.

    The browser's direct uploads land first in `incoming/<kind>/<user id>/<name>`, read the
    same way. Any other key (an operator's upload, a restore, a derived rendition) is still an
    object of the bucket: (None, None), owner and kind unknown.
    """
    parts = key.split("/", 3)
    prefix_ok = len(parts) == 4 and parts[0] in ("media", "incoming") and parts[1] in KINDS
    if prefix_ok and parts[2] and parts[3]:
        return parts[1], parts[2]
    return None, None


@dataclass(frozen=True, slots=True)
class S3ObjectEvent:
    """One S3 record, decoded and validated. `owner`/`kind` are None outside the layout."""

    key: str
    bucket: str
    owner: str | None
    kind: str | None
    removal: bool
    event_name: str
    event_time: str
    sequencer: str | None
    version_id: str | None
    size: int | None
    etag: str | None


def parse_record(record: dict[str, Any]) -> S3ObjectEvent:
    """Validate one raw S3 record; raise `MalformedRecord` for anything unreadable."""
    try:
        name = record["eventName"]
        created = name.startswith("ObjectCreated:")
        if not created and not name.startswith(_REMOVAL_PREFIXES):
            raise MalformedRecord(f"not an object creation or removal: {name!r}")
        obj = record["s3"]["object"]
        return _object_event(
            name,
            record["s3"]["bucket"]["name"],
            obj,
            record["eventTime"],
            version_id=obj.get("versionId"),
            etag=obj.get("eTag"),
        )
    except (KeyError, TypeError, AttributeError, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, MalformedRecord):
            raise
        raise MalformedRecord(f"unreadable record: {exc!r}") from exc


def _object_event(
    name: str,
    bucket: Any,
    obj: dict[str, Any],
    time: str,
    *,
    version_id: str | None,
    etag: str | None,
) -> S3ObjectEvent:
    """The event of object `obj` (its raw `key`, `size`, `sequencer`), validated."""
    key = decode_key(obj["key"])
    if not key or not isinstance(bucket, str) or not bucket:
        raise MalformedRecord("record without an object key or bucket")
    created = name.startswith("ObjectCreated:")
    kind, owner = parse_key(key)
    sequencer = obj.get("sequencer") or None
    if sequencer is not None:
        sequencer_order(sequencer)  # validates
    size = obj.get("size")
    return S3ObjectEvent(
        key=key,
        bucket=bucket,
        owner=owner,
        kind=kind,
        removal=not created,
        event_name=name,
        event_time=normalize_time(time),
        sequencer=sequencer,
        version_id=version_id or None,
        size=int(size) if created and size is not None else None,
        etag=(etag or None) if created else None,
    )


_EVENTBRIDGE_TYPES = {"Object Created": "ObjectCreated", "Object Deleted": "ObjectRemoved"}


def is_eventbridge(event: object) -> bool:
    """True for an S3 event delivered by EventBridge (`source` aws.s3, a `detail-type`)."""
    return isinstance(event, dict) and event.get("source") == "aws.s3" and "detail-type" in event


def parse_eventbridge(event: dict[str, Any]) -> S3ObjectEvent:
    """Validate an EventBridge S3 event ("Object Created"/"Object Deleted").

    Its object key is URL-encoded as in notifications; its name becomes the notification form
    (`ObjectCreated:PutObject`), so both kinds of event read the same downstream.
    """
    try:
        kind_of_event = _EVENTBRIDGE_TYPES.get(event["detail-type"])
        if kind_of_event is None:
            raise MalformedRecord(f"not an object creation or removal: {event['detail-type']!r}")
        detail = event["detail"]
        obj = detail["object"]
        return _object_event(
            f"{kind_of_event}:{detail.get('reason') or 'Unknown'}",
            detail["bucket"]["name"],
            obj,
            event["time"].replace("Z", "+00:00"),
            version_id=obj.get("version-id"),
            etag=obj.get("etag"),
        )
    except (KeyError, TypeError, AttributeError, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, MalformedRecord):
            raise
        raise MalformedRecord(f"unreadable EventBridge event: {exc!r}") from exc
