"""The deriver's handler over the sample events, against moto's S3 and DynamoDB."""

from __future__ import annotations

import io
import mimetypes
from collections.abc import Callable
from typing import Any

import boto3
import pytest
import s3records
from PIL import Image

from tests.functions.conftest import BUCKET, EVENTS_DIR
from tests.functions.media_deriver.images import image_bytes, polyglot_jpeg
from tests.functions.media_deriver.samples import EXPECTED

PUT_KEY = "media/images/42/9f86d081884c7d659a2feaa0c55ad015.jpg"
DERIVED = "derived/images/42/9f86d081884c7d659a2feaa0c55ad015.jpg/"
FORMATS = {".jpg": "JPEG", ".png": "PNG", ".webp": "WEBP"}

LoadEvent = Callable[[str], dict[str, Any]]


def created_keys(event: dict[str, Any]) -> list[str]:
    if s3records.is_eventbridge(event):
        if event["detail-type"] != "Object Created":
            return []
        return [s3records.decode_key(event["detail"]["object"]["key"])]
    return [
        s3records.decode_key(record["s3"]["object"]["key"])
        for record in event.get("Records", [])
        if record["eventName"].startswith("ObjectCreated:")
    ]


def put_objects(event: dict[str, Any], body: bytes | None = None) -> None:
    """Put what each ObjectCreated record names: a real image for an image name."""
    s3 = boto3.client("s3")
    for key in created_keys(event):
        image_format = FORMATS.get(key[key.rfind(".") :])
        data = body or (image_bytes((1000, 700), image_format) if image_format else b"x")
        content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        s3.put_object(Bucket=BUCKET, Key=key, Body=data, ContentType=content_type)


def derived_objects() -> dict[str, dict[str, Any]]:
    s3 = boto3.client("s3")
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="derived/").get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=BUCKET, Key=o["Key"]) for o in listed}


def test_every_sample_event_has_an_expectation() -> None:
    assert {p.name for p in EVENTS_DIR.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_event(name: str, app: Any, load_event: LoadEvent, lambda_context: Any) -> None:
    event = load_event(name)
    put_objects(event)
    assert app.handler(event, lambda_context) == EXPECTED[name]
    # A redelivery (at-least-once) writes nothing again.
    replay = app.handler(load_event(name), lambda_context)
    assert replay["derived"] == 0
    assert replay["stale"] == EXPECTED[name]["derived"] + EXPECTED[name]["stale"]


def test_put_writes_renditions_with_safe_metadata_and_records_them(
    app: Any, table: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    table.put_item(Item={"id": PUT_KEY, "owner": "42", "kind": "images", "time_order": "t"})
    event = load_event("s3_put.json")
    put_objects(event)
    assert app.handler(event, lambda_context)["derived"] == 1
    objects = derived_objects()
    assert sorted(objects) == [DERIVED + name for name in ("480w.webp", "960w.webp", "full.jpg")]
    for key, obj in objects.items():
        expected_type = "image/jpeg" if key.endswith(".jpg") else "image/webp"
        assert obj["ContentType"] == expected_type
        assert obj["CacheControl"] == "public, max-age=31536000, immutable"
        with Image.open(io.BytesIO(obj["Body"].read())) as decoded:
            assert decoded.get_format_mimetype() == expected_type
    item = table.get_item(Key={"id": PUT_KEY})["Item"]
    assert (item["owner"], item["kind"]) == ("42", "images")  # the indexer's attributes kept
    assert [(r["key"], r["width"], r["height"]) for r in item["renditions"]] == [
        (DERIVED + "full.jpg", 1000, 700),
        (DERIVED + "480w.webp", 480, 336),
        (DERIVED + "960w.webp", 960, 672),
    ]
    assert item["renditions_etag"] == "0f343b0931126a20f133d67c2b018a3b"


def test_eventbridge_event_is_derived_like_a_notification(
    app: Any, table: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    event = load_event("eventbridge_object_created.json")
    put_objects(event)
    assert app.handler(event, lambda_context)["derived"] == 1
    key = "media/avatars/42/1679091c5a880faf6fb5e6087eb1b2dc.jpg"
    item = table.get_item(Key={"id": key})["Item"]
    assert item["renditions"][0]["key"] == "derived/" + key.removeprefix("media/") + "/full.jpg"
    assert item["renditions_order"] == s3records.sequencer_order("0062E99A8D12F0A1B2")


def test_polyglot_upload_is_served_without_script_or_php(
    app: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    event = load_event("s3_put.json")
    put_objects(event, polyglot_jpeg())
    assert app.handler(event, lambda_context)["derived"] == 1
    for obj in derived_objects().values():
        body = obj["Body"].read().lower()
        assert b"<script" not in body
        assert b"<?php" not in body


def test_older_event_after_newer_renditions_changes_nothing(
    app: Any, table: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    newer = load_event("s3_put.json")
    put_objects(newer)
    app.handler(newer, lambda_context)
    older = load_event("s3_put.json")
    older["Records"][0]["s3"]["object"]["sequencer"] = "0062E99A88DC4073"
    assert app.handler(older, lambda_context)["stale"] == 1
    item = table.get_item(Key={"id": PUT_KEY})["Item"]
    assert item["renditions_order"] == s3records.sequencer_order("0062E99A88DC407460")


def test_refused_image_writes_nothing(
    app: Any, table: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    event = load_event("s3_put.json")
    put_objects(event, b"<html><script>alert(1)</script></html>")
    assert app.handler(event, lambda_context)["refused"] == 1
    assert derived_objects() == {}
    assert "Item" not in table.get_item(Key={"id": PUT_KEY})


def test_image_over_the_pixel_limit_is_refused(
    app: Any, load_event: LoadEvent, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMAGE_MAX_PIXELS", str(999 * 700))
    event = load_event("s3_put.json")
    put_objects(event)
    assert app.handler(event, lambda_context)["refused"] == 1
    assert derived_objects() == {}


def test_object_already_gone_is_stale(app: Any, load_event: LoadEvent, lambda_context: Any) -> None:
    assert app.handler(load_event("s3_put.json"), lambda_context)["stale"] == 1


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_dynamodb_failure_raises_so_lambda_retries(
    app: Any, table: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    event = load_event("s3_put.json")
    put_objects(event)
    table.delete()
    with pytest.raises(table.meta.client.exceptions.ResourceNotFoundException):
        app.handler(event, lambda_context)


def derive_then_delete_original(app: Any, load_event: LoadEvent, lambda_context: Any) -> None:
    """s3_put.json derived, then its original deleted from the bucket (s3_delete.json names the
    same key, with a later sequencer)."""
    event = load_event("s3_put.json")
    put_objects(event)
    assert app.handler(event, lambda_context)["derived"] == 1
    boto3.client("s3").delete_object(Bucket=BUCKET, Key=PUT_KEY)


def test_removal_deletes_the_renditions_and_their_record(
    app: Any, table: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    # Another image's renditions share the derived/ prefix up to the key: they stay.
    other = DERIVED.removesuffix(".jpg/") + ".jpg2/full.jpg"
    boto3.client("s3").put_object(Bucket=BUCKET, Key=other, Body=b"x")
    derive_then_delete_original(app, load_event, lambda_context)
    assert app.handler(load_event("s3_delete.json"), lambda_context)["removed"] == 1
    assert sorted(derived_objects()) == [other]
    item = table.get_item(Key={"id": PUT_KEY})["Item"]
    assert "renditions" not in item
    assert "renditions_etag" not in item
    assert item["renditions_removed"] is True
    # Redelivered (at-least-once): applied again, harmlessly.
    assert app.handler(load_event("s3_delete.json"), lambda_context)["removed"] == 1
    assert sorted(derived_objects()) == [other]


def test_older_create_after_the_removal_writes_nothing(
    app: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    derive_then_delete_original(app, load_event, lambda_context)
    assert app.handler(load_event("s3_delete.json"), lambda_context)["removed"] == 1
    # The create again, late (a retry), while the deleted version can still be read by id.
    late = load_event("s3_put.json")
    put_objects(late)  # what a versioned bucket would still serve for the create's version
    assert app.handler(late, lambda_context) == {
        "derived": 0,
        "removed": 0,
        "refused": 0,
        "stale": 1,
        "skipped": 0,
    }
    assert derived_objects() == {}


def test_removal_of_an_older_version_keeps_the_current_objects_renditions(
    app: Any, table: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    event = load_event("s3_put.json")
    put_objects(event)
    app.handler(event, lambda_context)
    # A version expiring or deleted by id: the key still has its current object.
    assert app.handler(load_event("s3_delete.json"), lambda_context)["stale"] == 1
    assert len(derived_objects()) == 3
    assert len(table.get_item(Key={"id": PUT_KEY})["Item"]["renditions"]) == 3


def test_removal_before_a_newer_upload_of_the_key_leaves_its_renditions(
    app: Any, table: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    derive_then_delete_original(app, load_event, lambda_context)
    removal = load_event("s3_delete.json")
    removal["Records"][0]["s3"]["object"]["sequencer"] = "0062E99A88DC4073"  # before the put
    assert app.handler(removal, lambda_context)["stale"] == 1
    assert len(derived_objects()) == 3


def test_eventbridge_removal_is_applied_like_a_notification(
    app: Any, table: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    created = load_event("eventbridge_object_created.json")
    put_objects(created)
    assert app.handler(created, lambda_context)["derived"] == 1
    key = created["detail"]["object"]["key"]
    boto3.client("s3").delete_object(Bucket=BUCKET, Key=key)
    assert app.handler(load_event("eventbridge_object_deleted.json"), lambda_context) == {
        "derived": 0,
        "removed": 1,
        "refused": 0,
        "stale": 0,
        "skipped": 0,
    }
    assert derived_objects() == {}
    item = table.get_item(Key={"id": key})["Item"]
    assert item["renditions_removed"] is True
    assert item["renditions_order"] == s3records.sequencer_order("0062E99A9F0B31C4E2") + "#removed"
