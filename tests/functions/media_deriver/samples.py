"""What the deriver must report for each sample event in events/ on an empty bucket index.

Shared by the in-process handler tests and the Runtime Interface Emulator test.
"""

from __future__ import annotations

ZERO = {"derived": 0, "removed": 0, "refused": 0, "stale": 0, "skipped": 0}
EXPECTED = {
    "s3_put.json": {**ZERO, "derived": 1},
    "s3_put_encoded_key.json": {**ZERO, "derived": 1},
    "s3_delete.json": {**ZERO, "removed": 1},  # an image's renditions go with it
    "s3_multi_record.json": {**ZERO, "derived": 2, "removed": 1, "skipped": 1},  # + a video
    "s3_test_event.json": {**ZERO, "skipped": 1},
    "eventbridge_object_created.json": {**ZERO, "derived": 1},  # how AWS delivers uploads
    "eventbridge_object_deleted.json": {**ZERO, "removed": 1},  # ... and removals
    "s3_out_of_order.json": {**ZERO, "skipped": 2},  # a video
    "s3_put_outside_layout.json": {**ZERO, "skipped": 1},
    "s3_put_derived_rendition.json": {**ZERO, "skipped": 1},  # its own output: never a loop
}
