"""The local endpoint's state survives a restart through moto's recorder (as `make dev` uses it)."""

from __future__ import annotations

import json
import os
from contextlib import AbstractContextManager
from pathlib import Path

import boto3
import pytest

from local.processes import moto_server
from local.state import compact, keeps_state, restore_and_record


def _request(method: str, target: str = "", url: str = "http://127.0.0.1/x") -> dict:
    headers = {"X-Amz-Target": target} if target else {}
    return {"method": method, "url": url, "headers": headers, "body": ""}


@pytest.mark.parametrize(
    ("request_", "kept"),
    [
        (_request("PUT", url="http://127.0.0.1/bucket/media/a.jpg"), True),
        (_request("POST", "DynamoDB_20120810.PutItem"), True),
        (_request("POST", "AmazonSSM.PutParameter"), True),
        (_request("GET", url="http://127.0.0.1/bucket/media/a.jpg"), False),
        (_request("HEAD", url="http://127.0.0.1/bucket"), False),
        (_request("POST", "DynamoDB_20120810.Query"), False),
        (_request("POST", "AmazonSSM.GetParameters"), False),
        (_request("POST", "AmazonSQS.ReceiveMessage"), False),
        (_request("POST", "AmazonSQS.CreateQueue"), False),
    ],
)
def test_only_state_changing_requests_are_replayed(request_, kept):
    assert keeps_state(request_) is kept


def test_compact_rewrites_the_recording_in_place(tmp_path):
    recording = tmp_path / "rec.jsonl"
    lines = [_request("PUT"), _request("GET"), _request("POST", "AmazonSQS.DeleteMessage")]
    recording.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert compact(recording) == (1, 2)
    assert [json.loads(line)["method"] for line in recording.read_text().splitlines()] == ["PUT"]


def recording_server(recording: Path, log: Path) -> AbstractContextManager[str]:
    env = {**os.environ, "MOTO_ENABLE_RECORDING": "True", "MOTO_RECORDER_FILEPATH": str(recording)}
    return moto_server(log, env=env)


def test_objects_and_items_survive_a_restart(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    recording, log = tmp_path / "aws-recording.jsonl", tmp_path / "moto.log"
    body = bytes(range(256)) * 64  # binary content must come back byte for byte
    with recording_server(recording, log) as endpoint:
        restore_and_record(endpoint, recording)
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        s3.create_bucket(Bucket="cblog-media-state")
        s3.put_object(Bucket="cblog-media-state", Key="media/images/1/a.jpg", Body=body)
        s3.list_objects_v2(Bucket="cblog-media-state")  # a read: not replayed
    with recording_server(recording, log) as endpoint:
        restore_and_record(endpoint, recording)
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        restored = s3.get_object(Bucket="cblog-media-state", Key="media/images/1/a.jpg")
        assert restored["Body"].read() == body


def test_nothing_happens_without_a_recording_file():
    restore_and_record("http://127.0.0.1:9", None)  # would fail if it tried to connect
