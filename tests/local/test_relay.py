"""The local pipeline end to end: S3 (moto server) -> SQS -> local.relay -> handler -> DynamoDB."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from local.bootstrap import Settings, bootstrap
from local.relay import LambdaContext, Relay

ROOT = Path(__file__).resolve().parents[2]


def wait_for(check: Callable[[], Any], timeout: float = 10.0) -> tuple[Any, float]:
    """Poll `check` until it returns something truthy; return it and the seconds it took."""
    started = time.monotonic()
    while (result := check()) is None or result is False:
        if time.monotonic() - started > timeout:
            pytest.fail(f"nothing after {timeout} s")
        time.sleep(0.05)
    return result, time.monotonic() - started


def queue_depth(settings: Settings, url: str) -> int:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    found = settings.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=names)
    return sum(int(found["Attributes"][n]) for n in names)


@pytest.fixture
def relay_process(settings: Settings, tmp_path: Path) -> Iterator[tuple[subprocess.Popen, Path]]:
    bootstrap(settings)
    log = tmp_path / "relay.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "local.relay", "--poll", "20"],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process, log
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def jpeg(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_put_is_indexed_derived_and_delete_leaves_a_tombstone(
    settings: Settings, relay_process: tuple[subprocess.Popen, Path]
) -> None:
    process, log = relay_process
    wait_for(lambda: "MediaDeriverFunction" in log.read_text(), timeout=30)  # relay is polling
    s3 = settings.client("s3")
    table = settings.client("dynamodb")
    key = f"media/images/5/{uuid.uuid4().hex} photo+café.jpg"

    def item() -> dict[str, Any] | None:
        return table.get_item(TableName=settings.table, Key={"id": {"S": key}}).get("Item")

    s3.put_object(Bucket=settings.bucket, Key=key, Body=jpeg((1000, 500)), ContentType="image/jpeg")
    # The whole entry: moto's server applies an UpdateItem's SETs one by one while it answers a
    # GetItem (DynamoDB does not), so a read may see the item half-written; content_type is
    # the indexer's last attribute.
    created, latency = wait_for(lambda: (i := item()) and "content_type" in i and i)
    print(f"\nput -> index entry in {latency:.2f} s")
    assert latency < 2  # the bound for upload -> index entry
    assert created["owner"] == {"S": "5"}
    assert created["kind"] == {"S": "images"}
    assert created["content_type"] == {"S": "image/jpeg"}
    assert created["deleted"] == {"BOOL": False}

    # The deriver ran on the same message: renditions under derived/, recorded on the item.
    derived, latency = wait_for(lambda: (i := item()) and "renditions" in i and i)
    print(f"put -> renditions recorded in {latency:.2f} s")
    keys = [r["M"]["key"]["S"] for r in derived["renditions"]["L"]]
    prefix = "derived/" + key.removeprefix("media/") + "/"
    assert keys == [prefix + "full.jpg", prefix + "480w.webp", prefix + "960w.webp"]
    head = s3.head_object(Bucket=settings.bucket, Key=prefix + "480w.webp")
    assert head["ContentType"] == "image/webp"

    s3.delete_object(Bucket=settings.bucket, Key=key)
    tombstone, _ = wait_for(lambda: (i := item()) and i["deleted"] == {"BOOL": True} and i)
    assert "deleted_at" in tombstone
    assert tombstone["created_at"] == created["created_at"]

    # The renditions go with their original: the deriver ran on the removal too. (Their own
    # index entries are tombstoned by the indexer on AWS, where every key notifies it; the local
    # bucket notifies media/ only, so they were never indexed here.)
    def renditions_left() -> list[dict[str, Any]]:
        listed = s3.list_objects_v2(Bucket=settings.bucket, Prefix=prefix)
        return listed.get("Contents", [])

    wait_for(lambda: not renditions_left())
    removed, _ = wait_for(lambda: (i := item()) and "renditions_removed" in i and i)
    assert "renditions" not in removed

    # Every message (the s3:TestEvent, the put, the delete) was deleted after it was handled.
    url = settings.client("sqs").get_queue_url(QueueName=settings.queue)["QueueUrl"]
    wait_for(lambda: queue_depth(settings, url) == 0)

    # SIGTERM interrupts the 20 s long poll: the relay stops at once, cleanly.
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=5) == 0
    output = log.read_text()
    assert "s3:TestEvent" in output
    assert "relay stopped" in output


@pytest.fixture
def queue(settings: Settings) -> str:
    return bootstrap(settings)["queue_url"]


def receive_one(settings: Settings, url: str, body: str) -> dict[str, Any]:
    sqs = settings.client("sqs")
    wait_for(lambda: queue_depth(settings, url) == 1)  # just the s3:TestEvent
    sqs.purge_queue(QueueUrl=url)
    sqs.send_message(QueueUrl=url, MessageBody=body)
    [message] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
    return message


def test_failed_handler_leaves_the_message_for_a_retry(settings: Settings, queue: str) -> None:
    def failing(event: dict[str, Any], context: LambdaContext) -> None:
        raise RuntimeError("DynamoDB throttled")

    relay = Relay(settings.client("sqs"), queue, {"F": failing}, wait_seconds=1)
    message = receive_one(settings, queue, json.dumps({"Records": []}))
    assert relay.handle(message) is False
    assert queue_depth(settings, queue) == 1  # in flight, back after the visibility timeout


def test_unreadable_message_is_not_deleted(settings: Settings, queue: str) -> None:
    relay = Relay(settings.client("sqs"), queue, {"F": lambda e, c: None}, wait_seconds=1)
    assert relay.handle(receive_one(settings, queue, "not json")) is False
    assert queue_depth(settings, queue) == 1


def test_handled_message_is_deleted_and_gets_a_lambda_context(
    settings: Settings, queue: str
) -> None:
    calls: list[tuple[dict[str, Any], LambdaContext]] = []
    handlers = {"F": lambda e, c: calls.append((e, c))}
    relay = Relay(settings.client("sqs"), queue, handlers, wait_seconds=1)
    assert relay.handle(receive_one(settings, queue, json.dumps({"Records": []})))
    assert queue_depth(settings, queue) == 0
    [(event, context)] = calls
    assert event == {"Records": []}
    assert 0 < context.get_remaining_time_in_millis() <= 30_000
    assert context.aws_request_id
