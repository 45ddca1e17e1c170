"""Duplicates and reordering end in the right state (the conditional write, on moto)."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import media_indexer_indexing as indexing
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from s3records import S3ObjectEvent as MediaEvent

KEY = "media/videos/42/c9f0f895fb98ab9159f51fd0297e236d.mp4"
Outcome = indexing.Outcome


def media_event(
    removal: bool, sequencer: str | None, time: str = "2026-11-26T10:00:00.000Z", key: str = KEY
) -> MediaEvent:
    return MediaEvent(
        key=key,
        bucket="cblog-media-local",
        owner="42",
        kind="videos",
        removal=removal,
        event_name="ObjectRemoved:Delete" if removal else "ObjectCreated:Put",
        event_time=time,
        sequencer=sequencer,
        version_id=None,
        size=None if removal else 1234,
        etag=None if removal else "c9f0f895fb98ab9159f51fd0297e236d",
    )


def stored(table: Any, key: str = KEY) -> dict[str, Any] | None:
    return table.get_item(Key={"id": key}, ConsistentRead=True).get("Item")


def test_stale_create_after_delete_is_ignored(table: Any) -> None:
    assert indexing.apply_event(table, media_event(True, "0062E99A88DC4075")) is Outcome.REMOVED
    late_create = media_event(False, "0062E99A88DC407460")  # longer, but older (right-pad)
    assert indexing.apply_event(table, late_create) is Outcome.STALE
    item = stored(table)
    assert item["deleted"] is True
    assert "created_at" not in item  # never created as far as the index knows: not on "My media"


def test_duplicate_event_is_stale_and_changes_nothing(table: Any) -> None:
    create = media_event(False, "00A1")
    assert indexing.apply_event(table, create, content_type="video/mp4") is Outcome.CREATED
    before = stored(table)
    assert indexing.apply_event(table, create, content_type="video/mp4") is Outcome.STALE
    assert stored(table) == before


def test_delete_keeps_what_the_create_recorded(table: Any) -> None:
    indexing.apply_event(table, media_event(False, "00A1"), content_type="video/mp4")
    indexing.apply_event(table, media_event(True, "00A2", "2026-11-26T11:00:00.000Z"))
    item = stored(table)
    assert item["deleted"] is True
    assert item["deleted_at"] == "2026-11-26T11:00:00.000Z"
    assert (item["created_at"], item["content_type"]) == ("2026-11-26T10:00:00.000Z", "video/mp4")
    assert item["sequencer"] == "00A2"


def test_newer_create_revives_a_tombstone(table: Any) -> None:
    indexing.apply_event(table, media_event(True, "00A2"))
    assert indexing.apply_event(table, media_event(False, "00A3")) is Outcome.CREATED
    item = stored(table)
    assert item["deleted"] is False
    assert "deleted_at" not in item


def test_without_sequencer_event_time_decides(table: Any) -> None:
    later = "2026-11-26T10:00:01.000Z"
    assert indexing.apply_event(table, media_event(True, None, later)) is Outcome.REMOVED
    assert indexing.apply_event(table, media_event(False, None)) is Outcome.STALE
    assert stored(table)["deleted"] is True


def test_without_sequencer_a_delete_wins_a_tie(table: Any) -> None:
    # moto stamps milliseconds: a put and its delete can share one. The delete must win.
    indexing.apply_event(table, media_event(False, None))
    assert indexing.apply_event(table, media_event(True, None)) is Outcome.REMOVED
    assert indexing.apply_event(table, media_event(False, None)) is Outcome.STALE
    assert stored(table)["deleted"] is True


def test_dynamodb_errors_other_than_the_condition_raise(table: Any) -> None:
    table.delete()
    with pytest.raises(table.meta.client.exceptions.ResourceNotFoundException):
        indexing.apply_event(table, media_event(False, "00A1"))


# A history of one key: S3 positions (distinct 64-bit numbers, often with trailing zero digits)
# and whether each was a create or a delete.
positions = st.builds(lambda n, shift: n * 16**shift, st.integers(1, 2**32), st.integers(0, 8))
histories = st.lists(
    st.tuples(positions, st.booleans()), min_size=1, max_size=8, unique_by=lambda s: s[0]
)


def as_sequencer(position: int, trailing: int) -> str:
    """Spell a position as S3 may: trailing zeros dropped or added (lengths differ)."""
    digits = f"{position:016X}"
    return digits.rstrip("0") if trailing < 0 else digits + "0" * trailing


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=histories, data=st.data())
def test_any_delivery_order_with_duplicates_ends_in_the_latest_state(
    table: Any, history: list[tuple[int, bool]], data: st.DataObject
) -> None:
    key = f"media/videos/42/{uuid.uuid4().hex}.mp4"  # one table, a fresh key per example
    spelled = [as_sequencer(position, data.draw(st.integers(-1, 3))) for position, _ in history]
    events = [
        media_event(removal, sequencer, key=key)
        for (_, removal), sequencer in zip(history, spelled, strict=True)
    ]
    deliveries = data.draw(st.lists(st.sampled_from(events), max_size=12)) + events
    deliveries = data.draw(st.permutations(deliveries))
    latest = events[max(range(len(history)), key=lambda i: history[i][0])]  # ground truth
    for event in deliveries:
        indexing.apply_event(table, event)
    item = stored(table, key)
    assert item["sequencer"] == latest.sequencer
    assert item["deleted"] is latest.removal
    assert item["event_name"] == latest.event_name


def test_media_event_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        media_event(False, "01").key = "other"  # type: ignore[misc]
