"""The sample events in events/ and what the handler must report for each on an empty index.

Shared by the in-process handler tests and the Runtime Interface Emulator test.
"""

from __future__ import annotations

from pathlib import Path

EVENTS_DIR = Path(__file__).resolve().parents[3] / "events"
ZERO = {"created": 0, "removed": 0, "stale": 0, "skipped": 0}
EXPECTED = {
    "s3_put.json": {**ZERO, "created": 1},
    "s3_put_encoded_key.json": {**ZERO, "created": 1},
    "s3_put_outside_layout.json": {**ZERO, "created": 1},
    "s3_put_derived_rendition.json": {**ZERO, "created": 1},  # owner and kind unknown
    "s3_delete.json": {**ZERO, "removed": 1},
    "s3_multi_record.json": {**ZERO, "created": 3, "removed": 1},
    "s3_test_event.json": {**ZERO, "skipped": 1},
    "eventbridge_object_created.json": {**ZERO, "skipped": 1},  # the deriver's, on AWS
    "eventbridge_object_deleted.json": {**ZERO, "skipped": 1},
    "s3_out_of_order.json": {**ZERO, "removed": 1, "stale": 1},
}
