"""The deriver's pure core against real image bytes: what is served, and what never is."""

from __future__ import annotations

import io
import warnings

import media_deriver_renditions as renditions
import pytest
from PIL import Image

from tests.functions.media_deriver.images import (
    PHP,
    SCRIPT,
    XMP,
    image_bytes,
    jpeg_markers,
    polyglot_jpeg,
    webp_chunks,
    with_metadata,
)

LIMITS = {"max_bytes": 10 * 1024 * 1024, "max_pixels": 40_000_000}
COM, APP1, APP2, EOI = 0xFE, 0xE1, 0xE2, b"\xff\xd9"


def derive(data: bytes, **limits: int) -> list[renditions.Rendition]:
    return renditions.derive(data, **{**LIMITS, **limits})


def test_polyglot_jpeg_is_served_as_an_image_only() -> None:
    data = polyglot_jpeg()
    assert SCRIPT in data
    assert PHP in data
    with Image.open(io.BytesIO(data)) as original:  # the input really is a valid JPEG
        assert (original.format, original.size) == ("JPEG", (800, 600))
    outputs = derive(data)
    for output in outputs:
        assert b"<script" not in output.body.lower()
        assert b"<?php" not in output.body.lower()
        assert b"<html" not in output.body.lower()
    served = outputs[0]
    assert (served.name, served.content_type) == ("full.jpg", "image/jpeg")
    assert COM not in jpeg_markers(served.body)
    assert served.body.endswith(EOI)  # nothing after the end-of-image marker
    assert served.body.count(EOI) == 1


def test_every_metadata_segment_is_stripped_and_orientation_applied() -> None:
    outputs = derive(with_metadata((1200, 800)))
    served = outputs[0]
    markers = jpeg_markers(served.body)
    assert not {COM, APP1, APP2} & set(markers), [hex(m) for m in markers]
    for output in outputs:
        assert b"SecretCam" not in output.body
        assert XMP not in output.body
        assert b"shot at home" not in output.body
    # EXIF orientation 6 is applied to the pixels before EXIF is dropped: portrait now.
    assert (served.width, served.height) == (800, 1200)
    for output in outputs[1:]:
        assert not {b"EXIF", b"XMP ", b"ICCP"} & set(webp_chunks(output.body))


def test_sizes_are_webp_never_upscaled_and_keep_the_aspect_ratio() -> None:
    outputs = derive(image_bytes((2000, 1000)))
    assert [(o.name, o.width, o.height) for o in outputs] == [
        ("full.jpg", 2000, 1000),
        ("480w.webp", 480, 240),
        ("960w.webp", 960, 480),
        ("1600w.webp", 1600, 800),
    ]
    for output in outputs[1:]:
        with Image.open(io.BytesIO(output.body)) as decoded:
            assert (decoded.format, decoded.size) == ("WEBP", (output.width, output.height))
    small = derive(image_bytes((600, 400), "PNG"))
    assert [(o.name, o.width, o.content_type) for o in small] == [
        ("full.png", 600, "image/png"),
        ("480w.webp", 480, "image/webp"),
    ]


def test_served_rendition_is_capped_in_width() -> None:
    served = derive(image_bytes((3000, 500)))[0]
    assert (served.width, served.height) == (renditions.SERVED_MAX_WIDTH, 427)


def test_transparency_survives_in_png_and_webp() -> None:
    image = Image.new("RGBA", (700, 300), (0, 0, 255, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    outputs = derive(buffer.getvalue())
    for output in outputs:
        with Image.open(io.BytesIO(output.body)) as decoded:
            assert decoded.convert("RGBA").getpixel((5, 5))[3] == 0


@pytest.mark.parametrize(
    ("data", "limits", "reason"),
    [
        (image_bytes((400, 300)), {"max_bytes": 100}, "limit"),
        (image_bytes((400, 300)), {"max_pixels": 400 * 300 - 1}, "pixels"),
        (b"GIF89a" + b"\x00" * 100, {}, "not a valid"),
        (b"<?php echo 1; ?>", {}, "not a valid"),
        (image_bytes((400, 300))[:200], {}, "not a valid"),  # truncated
        (image_bytes((40, 30), "BMP"), {}, "not a valid"),  # a format outside the allow-list
    ],
)
def test_images_the_web_tier_refuses_are_refused(data: bytes, limits: dict, reason: str) -> None:
    with pytest.raises(renditions.RefusedImage, match=reason):
        derive(data, **limits)


def test_decompression_bomb_is_refused_before_decoding() -> None:
    # 20000 x 20000 pixels in a few kilobytes: Pillow's own bomb check, not only ours.
    bomb = image_bytes((20000, 20000), "PNG")
    assert len(bomb) < 2 * 1024 * 1024
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(renditions.RefusedImage):
            derive(bomb, max_pixels=10**12)


def test_multi_picture_jpeg_is_served_as_a_plain_jpeg() -> None:
    first = Image.linear_gradient("L").resize((800, 600)).convert("RGB")
    buffer = io.BytesIO()
    first.save(buffer, format="MPO", save_all=True, append_images=[first.rotate(90)])
    with Image.open(io.BytesIO(buffer.getvalue())) as opened:
        assert opened.format == "MPO"  # what a phone's camera writes
    served = derive(buffer.getvalue())[0]
    assert (served.name, served.content_type, served.width) == ("full.jpg", "image/jpeg", 800)
    with Image.open(io.BytesIO(served.body)) as decoded:
        assert decoded.format == "JPEG"
