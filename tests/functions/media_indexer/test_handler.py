"""The handler over every sample event in events/, against moto's S3 and DynamoDB."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Key

from tests.functions.media_indexer.samples import EVENTS_DIR, EXPECTED

PUT_KEY = "media/images/42/9f86d081884c7d659a2feaa0c55ad015.jpg"

LoadEvent = Callable[[str], dict[str, Any]]


def test_every_sample_event_has_an_expectation() -> None:
    assert {p.name for p in EVENTS_DIR.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_event(
    name: str, app: Any, table: Any, s3_objects: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    event = load_event(name)
    s3_objects(event)
    assert app.handler(event, lambda_context) == EXPECTED[name]
    # Replaying the same event (at-least-once delivery) changes nothing and still succeeds.
    items = table.scan(ConsistentRead=True)["Items"]
    replay = app.handler(load_event(name), lambda_context)
    assert replay["created"] == replay["removed"] == 0
    assert table.scan(ConsistentRead=True)["Items"] == items


def test_put_writes_the_full_item(
    app: Any, table: Any, s3_objects: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    event = load_event("s3_put.json")
    s3_objects(event)
    app.handler(event, lambda_context)
    assert table.get_item(Key={"id": PUT_KEY})["Item"] == {
        "id": PUT_KEY,
        "bucket": "cblog-media-local",
        "size": 48213,
        "etag": "0f343b0931126a20f133d67c2b018a3b",
        "content_type": "image/jpeg",
        "owner": "42",
        "kind": "images",
        "created_at": "2026-11-26T10:15:30.123Z",
        "event_time": "2026-11-26T10:15:30.123Z",
        "event_name": "ObjectCreated:Put",
        "sequencer": "0062E99A88DC407460",
        "deleted": False,
        "seq_order": "S0062E99A88DC40746",
        "time_order": "2026-11-26T10:15:30.123Z#0",
    }


def test_encoded_key_is_stored_decoded(
    app: Any, table: Any, s3_objects: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    event = load_event("s3_put_encoded_key.json")
    s3_objects(event)
    app.handler(event, lambda_context)
    [item] = table.scan()["Items"]
    assert item["id"] == "media/images/42/holiday photo + café 写真.jpg"


def test_put_then_delete_leaves_a_tombstone(
    app: Any, table: Any, s3_objects: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    put = load_event("s3_put.json")
    s3_objects(put)
    app.handler(put, lambda_context)
    app.handler(load_event("s3_delete.json"), lambda_context)
    item = table.get_item(Key={"id": PUT_KEY})["Item"]
    assert item["deleted"] is True
    assert item["deleted_at"] == "2026-11-26T11:02:47.880Z"
    # A late redelivery of the put cannot resurrect it.
    assert app.handler(put, lambda_context)["stale"] == 1
    assert table.get_item(Key={"id": PUT_KEY})["Item"]["deleted"] is True


def test_owner_index_lists_an_owners_media_by_date(
    app: Any, table: Any, s3_objects: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    event = load_event("s3_multi_record.json")
    s3_objects(event)
    app.handler(event, lambda_context)
    found = table.query(IndexName="owner-index", KeyConditionExpression=Key("owner").eq("7"))
    assert [(i["kind"], i["content_type"]) for i in found["Items"]] == [
        ("images", "image/png"),
        ("videos", "video/mp4"),
    ]
    avatars = table.query(IndexName="owner-index", KeyConditionExpression=Key("owner").eq("9"))
    assert len(avatars["Items"]) == 1  # the tombstone of a never-indexed avatar has no date


def test_malformed_record_is_skipped_and_the_rest_indexed(
    app: Any, table: Any, s3_objects: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    event = load_event("s3_multi_record.json")
    s3_objects(event)
    del event["Records"][1]["eventTime"]
    event["Records"][2]["eventName"] = "ObjectTagging:Put"
    event["Records"].append("not a record")
    result = app.handler(event, lambda_context)
    assert result == {"created": 1, "removed": 1, "stale": 0, "skipped": 3}


def test_object_outside_the_layout_is_indexed_with_owner_and_kind_unknown(
    app: Any, table: Any, s3_objects: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    event = load_event("s3_put_outside_layout.json")
    s3_objects(event)
    assert app.handler(event, lambda_context)["created"] == 1
    item = table.get_item(Key={"id": "restore/2026-11/profile photo.jpg"})["Item"]
    assert "owner" not in item
    assert "kind" not in item
    assert (item["size"], item["content_type"]) == (48213, "image/jpeg")
    # Listed by a scan (staff's "all media"), under no user in the owner index.
    everyone = table.scan(IndexName="owner-index")["Items"]
    assert all(i["id"] != item["id"] for i in everyone)


def test_renditions_recorded_before_the_create_survive_it(
    app: Any, table: Any, s3_objects: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    # The deriver may record an image's renditions before the indexer has seen its create.
    table.update_item(
        Key={"id": PUT_KEY},
        UpdateExpression="SET renditions = :r",
        ExpressionAttributeValues={":r": {"480": "derived/x/480.webp"}},
    )
    event = load_event("s3_put.json")
    s3_objects(event)
    assert app.handler(event, lambda_context)["created"] == 1
    item = table.get_item(Key={"id": PUT_KEY})["Item"]
    assert (item["renditions"], item["owner"]) == ({"480": "derived/x/480.webp"}, "42")


def test_create_of_an_object_already_gone_is_stale(
    app: Any, table: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    assert app.handler(load_event("s3_put.json"), lambda_context)["stale"] == 1  # no object
    assert table.scan()["Items"] == []


@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_dynamodb_failure_raises_so_lambda_retries(
    app: Any, table: Any, s3_objects: Any, load_event: LoadEvent, lambda_context: Any
) -> None:
    event = load_event("s3_put.json")
    s3_objects(event)
    table.delete()
    with pytest.raises(table.meta.client.exceptions.ResourceNotFoundException):
        app.handler(event, lambda_context)


def test_logs_are_structured_with_the_s3_request_id_and_metrics_are_emitted(
    app: Any,
    s3_objects: Any,
    load_event: LoadEvent,
    lambda_context: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    event = load_event("s3_put.json")
    s3_objects(event)
    capsys.readouterr()
    stream = io.StringIO()  # the Logger's handler kept the stdout of its import; swap it here
    previous = app.logger.registered_handler.setStream(stream)
    try:
        app.handler(event, lambda_context)
    finally:
        app.logger.registered_handler.setStream(previous)
    logs = [json.loads(line) for line in stream.getvalue().splitlines()]
    updated = next(line for line in logs if line["message"] == "Index updated")
    assert updated["correlation_id"] == "C3D13FE58DE4C810"
    assert updated["object_key"] == PUT_KEY
    assert updated["service"] == "media-indexer"
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    emf = next(line for line in printed if "_aws" in line)
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "cblog"
    assert (emf["created"], emf["stale"]) == ([1.0], [0.0])


def test_hundred_record_event_throughput(
    app: Any, table: Any, load_event: LoadEvent, lambda_context: Any, record_property: Any
) -> None:
    template = load_event("s3_put.json")["Records"][0]
    s3, records = boto3.client("s3"), []
    for i in range(100):
        record = json.loads(json.dumps(template))
        record["s3"]["object"]["key"] = f"media/images/{i % 7}/{i:032x}.jpg"
        record["s3"]["object"]["sequencer"] = f"0062E99A88DC4{i:05X}"
        s3.put_object(Bucket="cblog-media-local", Key=record["s3"]["object"]["key"], Body=b"x")
        records.append(record)
    started = time.perf_counter()
    result = app.handler({"Records": records}, lambda_context)
    elapsed = time.perf_counter() - started
    assert result["created"] == 100
    record_property("records_per_second", round(100 / elapsed))
    print(f"\n100-record event: {elapsed:.3f} s, {100 / elapsed:.0f} records/s (moto in-process)")
