"""Key decoding and S3's sequencer rule, by example and by property."""

from __future__ import annotations

from urllib.parse import quote, quote_plus

import pytest
import s3records as indexing
from hypothesis import given
from hypothesis import strategies as st

hex_digits = st.text(alphabet="0123456789ABCDEFabcdef", min_size=1, max_size=40)
s3_keys = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=200)


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("media/images/42/holiday+photo.jpg", "media/images/42/holiday photo.jpg"),
        ("media/images/42/a%2Bb.jpg", "media/images/42/a+b.jpg"),
        ("media/images/42/caf%C3%A9+%E5%86%99%E7%9C%9F.jpg", "media/images/42/café 写真.jpg"),
        ("media/images/42/a%2Fb.jpg", "media/images/42/a/b.jpg"),
        ("media/images/42/sam%20style.jpg", "media/images/42/sam style.jpg"),  # sam local's %20
    ],
)
def test_decode_key_undoes_s3_event_encoding(raw: str, decoded: str) -> None:
    assert indexing.decode_key(raw) == decoded


@given(s3_keys)
def test_decode_key_round_trips_s3_and_sam_encodings(key: str) -> None:
    assert indexing.decode_key(quote_plus(key)) == key  # S3: space as +
    assert indexing.decode_key(quote(key, safe="/")) == key  # sam generate-event: %20


def reference_is_newer(candidate: str, stored: str) -> bool:
    """S3's documented rule, literally: right-pad the shorter with zeros, compare."""
    width = max(len(candidate), len(stored))
    return candidate.upper().ljust(width, "0") > stored.upper().ljust(width, "0")


def test_unequal_lengths_compare_right_padded() -> None:
    # Right-padded: 0062E99A88DC4075 -> 0062E99A88DC407500, after ...407460.
    assert indexing.is_newer_sequencer("0062E99A88DC4075", "0062E99A88DC407460")
    assert not indexing.is_newer_sequencer("0062E99A88DC407460", "0062E99A88DC4075")


def test_trailing_zeros_do_not_make_a_sequencer_newer() -> None:
    assert not indexing.is_newer_sequencer("ABC000", "ABC")
    assert not indexing.is_newer_sequencer("ABC", "ABC000")


def test_sequencer_case_does_not_matter() -> None:
    assert indexing.sequencer_order("00aBc1") == indexing.sequencer_order("00ABC1")


@pytest.mark.parametrize("bad", ["", "   ", "XYZ", "12-34", "0x12"])
def test_non_hex_sequencer_is_malformed(bad: str) -> None:
    with pytest.raises(indexing.MalformedRecord):
        indexing.sequencer_order(bad)


@given(hex_digits, hex_digits)
def test_sequencer_comparison_matches_the_documented_rule(a: str, b: str) -> None:
    assert indexing.is_newer_sequencer(a, b) == reference_is_newer(a, b)
    # The stored form compares the same way, which is what the DynamoDB condition relies on.
    assert (indexing.sequencer_order(a) > indexing.sequencer_order(b)) == reference_is_newer(a, b)


@given(st.integers(min_value=0, max_value=2**80 - 1), st.integers(min_value=0, max_value=2**80 - 1))
def test_equal_length_sequencers_compare_as_numbers(x: int, y: int) -> None:
    a, b = f"{x:020X}", f"{y:020X}"
    assert indexing.is_newer_sequencer(a, b) == (x > y)


@given(hex_digits, hex_digits)
def test_sequencer_order_is_total_and_antisymmetric(a: str, b: str) -> None:
    newer, older = indexing.is_newer_sequencer(a, b), indexing.is_newer_sequencer(b, a)
    assert not (newer and older)
    if not newer and not older:
        assert indexing.sequencer_order(a) == indexing.sequencer_order(b)
