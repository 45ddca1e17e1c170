"""deriving.py's removal rules against moto's S3 and DynamoDB: the race between an image being
derived and its original being removed."""

from __future__ import annotations

from typing import Any

import boto3
import media_deriver_deriving as deriving
import media_deriver_renditions as renditions
import s3records

from tests.functions.conftest import BUCKET

CREATED = {
    "eventVersion": "2.1",
    "eventSource": "aws:s3",
    "eventTime": "2026-11-26T11:00:00.000Z",
    "eventName": "ObjectCreated:Put",
    "s3": {
        "bucket": {"name": BUCKET},
        "object": {"key": "media/images/7/abc.jpg", "size": 3, "sequencer": "0062E99A10"},
    },
}
REMOVED = {
    **CREATED,
    "eventName": "ObjectRemoved:Delete",
    "s3": {
        "bucket": {"name": BUCKET},
        "object": {"key": "media/images/7/abc.jpg", "sequencer": "0062E99A20"},
    },
}


OUTPUT = renditions.Rendition(
    name="full.jpg", body=b"jpg", content_type="image/jpeg", width=1, height=1
)


def test_renditions_written_after_a_removal_listed_derived_are_taken_away(table: Any) -> None:
    """The removal won the race: it recorded itself and listed derived/ (empty) while the image
    was still being encoded; the late writes must not outlive the original."""
    s3 = boto3.client("s3")
    create = s3records.parse_record(CREATED)
    removal = s3records.parse_record(REMOVED)
    assert not deriving.already_derived(table, create)  # the create checked first ...
    assert deriving.record_removal(table, removal)  # ... then the removal ran whole
    assert deriving.remove_renditions(s3, removal) == []
    assert deriving.store(s3, table, create, [OUTPUT]) == []
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="derived/").get("Contents", [])
    assert listed == []
    assert table.get_item(Key={"id": create.key})["Item"]["renditions_removed"] is True


def test_a_newer_upload_after_a_removal_is_derived_and_clears_the_mark(table: Any) -> None:
    s3 = boto3.client("s3")
    assert deriving.record_removal(table, s3records.parse_record(REMOVED))
    newer = {
        **CREATED,
        "s3": {**CREATED["s3"], "object": {**CREATED["s3"]["object"], "sequencer": "0062E99A30"}},
    }
    create = s3records.parse_record(newer)
    assert not deriving.already_derived(table, create)
    assert len(deriving.store(s3, table, create, [OUTPUT])) == 1
    item = table.get_item(Key={"id": create.key})["Item"]
    assert "renditions_removed" not in item
    assert item["renditions"][0]["key"] == "derived/images/7/abc.jpg/full.jpg"
