"""Turn one raw S3 event record into a validated `MediaEvent`, or refuse it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from indexing import MalformedRecord, decode_key, sequencer_order

KINDS = frozenset({"images", "videos", "avatars"})
_REMOVAL_PREFIXES = ("ObjectRemoved:", "LifecycleExpiration:")


def normalize_time(value: str) -> str:
    """ISO-8601 in UTC with milliseconds and `Z`, so string order is time order."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise MalformedRecord(f"bad eventTime: {value!r}") from exc
    if moment.tzinfo is None:
        raise MalformedRecord(f"eventTime without a time zone: {value!r}")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class MediaEvent:
    """One S3 record, decoded and validated."""

    key: str
    bucket: str
    owner: str
    kind: str
    removal: bool
    event_name: str
    event_time: str
    sequencer: str | None
    version_id: str | None
    size: int | None
    etag: str | None


def parse_key(key: str) -> tuple[str, str]:
    """Return (kind, owner) from the web app's layout `media/<kind>/<user id>/<name>`."""
    parts = key.split("/", 3)
    if len(parts) != 4 or parts[0] != "media" or parts[1] not in KINDS or not parts[2]:
        raise MalformedRecord(f"key outside media/<kind>/<user id>/<name>: {key!r}")
    if not parts[3]:
        raise MalformedRecord(f"key without a file name: {key!r}")
    return parts[1], parts[2]


def parse_record(record: dict[str, Any]) -> MediaEvent:
    """Validate one raw S3 record; raise `MalformedRecord` for anything not indexable."""
    try:
        name = record["eventName"]
        s3 = record["s3"]
        obj = s3["object"]
        key = decode_key(obj["key"])
        bucket = s3["bucket"]["name"]
        created = name.startswith("ObjectCreated:")
        if not created and not name.startswith(_REMOVAL_PREFIXES):
            raise MalformedRecord(f"event not indexed: {name!r}")
        kind, owner = parse_key(key)
        sequencer = obj.get("sequencer") or None
        if sequencer is not None:
            sequencer_order(sequencer)  # validates
        size = obj.get("size")
        return MediaEvent(
            key=key,
            bucket=bucket,
            owner=owner,
            kind=kind,
            removal=not created,
            event_name=name,
            event_time=normalize_time(record["eventTime"]),
            sequencer=sequencer,
            version_id=obj.get("versionId") or None,
            size=int(size) if created and size is not None else None,
            etag=(obj.get("eTag") or None) if created else None,
        )
    except (KeyError, TypeError, AttributeError, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, MalformedRecord):
            raise
        raise MalformedRecord(f"unreadable record: {exc!r}") from exc
