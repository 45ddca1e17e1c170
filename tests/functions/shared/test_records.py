"""Parsing one S3 record (the shared layer): what is read, what is refused."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import s3records as records
from s3records import MalformedRecord


@pytest.fixture
def put_record(load_event: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    return load_event("s3_put.json")["Records"][0]


def test_put_record_is_parsed(put_record: dict[str, Any]) -> None:
    event = records.parse_record(put_record)
    assert event.key == "media/images/42/9f86d081884c7d659a2feaa0c55ad015.jpg"
    assert (event.owner, event.kind, event.removal) == ("42", "images", False)
    assert event.size == 48213
    assert event.sequencer == "0062E99A88DC407460"
    assert event.event_time == "2026-11-26T10:15:30.123Z"


def test_delete_record_has_no_size_or_etag(load_event: Callable[[str], dict[str, Any]]) -> None:
    event = records.parse_record(load_event("s3_delete.json")["Records"][0])
    assert event.removal
    assert (event.size, event.etag) == (None, None)


def test_lifecycle_expiration_is_a_removal(put_record: dict[str, Any]) -> None:
    put_record["eventName"] = "LifecycleExpiration:Delete"
    assert records.parse_record(put_record).removal


@pytest.mark.parametrize(
    ("key", "kind", "owner"),
    [
        ("media/images/42/a.jpg", "images", "42"),
        ("media/videos/7/b.mp4", "videos", "7"),
        ("media/avatars/9/c.webp", "avatars", "9"),
        ("media/images/42/nested/d.jpg", "images", "42"),
        ("incoming/videos/7/e.mp4", "videos", "7"),  # a direct upload before it is attached
    ],
)
def test_parse_key_reads_kind_and_owner(key: str, kind: str, owner: str) -> None:
    assert records.parse_key(key) == (kind, owner)


@pytest.mark.parametrize(
    "key",
    [
        "profile.jpg",
        "media/images/42/",
        "media/images//a.jpg",
        "media/docs/42/a.pdf",
        "x/images/4/a",
        "derived/images/42/a.jpg/480.webp",
    ],
)
def test_keys_outside_the_layout_have_no_owner_or_kind(key: str) -> None:
    assert records.parse_key(key) == (None, None)


def test_record_outside_the_layout_is_still_an_object(put_record: dict[str, Any]) -> None:
    put_record["s3"]["object"]["key"] = "restore/2026/old+photo.jpg"
    event = records.parse_record(put_record)
    assert (event.key, event.owner, event.kind) == ("restore/2026/old photo.jpg", None, None)
    assert event.size == 48213


def _without(record: dict[str, Any], *path: str) -> dict[str, Any]:
    broken = copy.deepcopy(record)
    target = broken
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    return broken


@pytest.mark.parametrize(
    "path", [("s3",), ("eventName",), ("eventTime",), ("s3", "object", "key"), ("s3", "bucket")]
)
def test_record_missing_a_field_is_malformed(put_record: dict[str, Any], path: tuple) -> None:
    with pytest.raises(MalformedRecord):
        records.parse_record(_without(put_record, *path))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("eventName", "ObjectTagging:Put"),
        ("eventTime", "yesterday"),
        ("eventTime", "2026-11-26T10:15:30"),  # no time zone
    ],
)
def test_unindexable_record_is_malformed(
    put_record: dict[str, Any], field: str, value: str
) -> None:
    put_record[field] = value
    with pytest.raises(MalformedRecord):
        records.parse_record(put_record)


def test_bad_sequencer_or_key_encoding_is_malformed(put_record: dict[str, Any]) -> None:
    bad_sequencer = copy.deepcopy(put_record)
    bad_sequencer["s3"]["object"]["sequencer"] = "not-hex"
    bad_key = copy.deepcopy(put_record)
    bad_key["s3"]["object"]["key"] = "media/images/42/%FF.jpg"  # not UTF-8
    for record in (bad_sequencer, bad_key):
        with pytest.raises(MalformedRecord):
            records.parse_record(record)


def test_event_time_is_normalised_to_utc_milliseconds() -> None:
    assert records.normalize_time("2026-11-26T11:15:30+01:00") == "2026-11-26T10:15:30.000Z"
    assert records.normalize_time("2026-11-26T10:15:30.123456Z") == "2026-11-26T10:15:30.123Z"


def test_eventbridge_event_reads_like_a_notification_record(
    load_event: Callable[[str], dict[str, Any]], put_record: dict[str, Any]
) -> None:
    bridged = load_event("eventbridge_object_created.json")
    assert records.is_eventbridge(bridged)
    assert not records.is_eventbridge({"Records": [put_record]})
    event = records.parse_eventbridge(bridged)
    assert event.key == "media/avatars/42/1679091c5a880faf6fb5e6087eb1b2dc.jpg"
    assert (event.owner, event.kind, event.removal) == ("42", "avatars", False)
    assert (event.event_name, event.event_time) == (
        "ObjectCreated:PutObject",
        "2026-11-26T10:20:05.000Z",
    )
    assert (event.size, event.sequencer) == (31877, "0062E99A8D12F0A1B2")
    bridged["detail"]["object"]["key"] = "media/images/42/holiday+photo%2B.jpg"
    assert records.parse_eventbridge(bridged).key == "media/images/42/holiday photo+.jpg"


@pytest.mark.parametrize(
    ("path", "value"),
    [(("detail-type",), "Object Restore Completed"), (("time",), "soon"), (("detail",), None)],
)
def test_unusable_eventbridge_event_is_malformed(
    load_event: Callable[[str], dict[str, Any]], path: tuple[str, ...], value: object
) -> None:
    bridged = load_event("eventbridge_object_created.json")
    bridged[path[0]] = value
    with pytest.raises(MalformedRecord):
        records.parse_eventbridge(bridged)
