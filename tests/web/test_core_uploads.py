"""Uploads are judged by content: allow-listed images re-encoded, videos by signature."""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from cblog.core.uploads import clean_image, clean_video, make_thumbnail, random_name

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2mp41" + b"\x00" * 40
WEBM_HEAD = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 40


def _upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _reopen(cleaned) -> Image.Image:
    cleaned.seek(0)
    image = Image.open(io.BytesIO(cleaned.read()))
    image.load()
    return image


def test_random_names_are_32_hex_characters_and_never_repeat():
    names = {random_name("jpg") for _ in range(100)}
    assert len(names) == 100
    assert all(re.fullmatch(r"[0-9a-f]{32}\.jpg", name) for name in names)


def test_a_jpeg_is_reencoded_without_exif_under_a_random_name(make_image):
    upload = make_image(exif=True, size=(30, 10), name="holiday.jpg")
    with Image.open(upload) as original:
        assert original.getexif()[0x010F] == "SecretCam"  # the fixture really carries EXIF

    cleaned = clean_image(upload)
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", cleaned.name)
    image = _reopen(cleaned)
    assert image.format == "JPEG"
    assert not image.getexif()
    assert b"SecretCam" not in cleaned.read()
    assert image.size == (10, 30)  # orientation 6 applied to the pixels, then dropped


@pytest.mark.parametrize(("fmt", "extension"), [("PNG", "png"), ("WEBP", "webp")])
def test_png_and_webp_keep_their_format(make_image, fmt, extension):
    cleaned = clean_image(make_image(format=fmt))
    assert cleaned.name.endswith(f".{extension}")
    assert _reopen(cleaned).format == fmt


@pytest.mark.parametrize(
    ("mode", "fmt", "expected_mode"),
    [("CMYK", "JPEG", "RGB"), ("I;16", "PNG", "RGBA")],
    ids=["cmyk-jpeg", "16-bit-png"],
)
def test_modes_the_format_cannot_store_portably_are_converted(mode, fmt, expected_mode):
    buffer = io.BytesIO()
    Image.new(mode, (8, 8)).save(buffer, format=fmt)
    cleaned = clean_image(_upload(f"x.{fmt.lower()}", buffer.getvalue()))
    image = _reopen(cleaned)
    assert (image.format, image.mode) == (fmt, expected_mode)


def test_bytes_hidden_after_the_image_do_not_survive(make_image):
    upload = make_image()
    polyglot = _upload("poly.jpg", upload.read() + HTML, "image/jpeg")
    cleaned = clean_image(polyglot)
    assert b"<script>" not in cleaned.read()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("drawing.svg", SVG, "image/svg+xml"),
        ("photo.jpg", HTML, "image/jpeg"),
        ("empty.jpg", b"", "image/jpeg"),
    ],
    ids=["svg", "html-renamed-jpg", "empty"],
)
def test_non_images_are_rejected_with_a_clear_message(name, content, content_type):
    with pytest.raises(ValidationError) as exc:
        clean_image(_upload(name, content, content_type))
    assert exc.value.code == "invalid_image"
    assert exc.value.message == "Upload a valid image: JPEG, PNG or WebP."


def test_an_image_format_outside_the_allow_list_is_rejected(make_image):
    with pytest.raises(ValidationError) as exc:
        clean_image(make_image(format="GIF", name="anim.gif"))
    assert exc.value.code == "invalid_image"


def test_a_truncated_jpeg_is_rejected(make_image):
    content = make_image(size=(64, 64)).read()
    with pytest.raises(ValidationError) as exc:
        clean_image(_upload("cut.jpg", content[: len(content) // 2], "image/jpeg"))
    assert exc.value.code == "invalid_image"


@override_settings(IMAGE_MAX_BYTES=1024 * 1024)
def test_an_oversize_image_is_rejected_before_decoding(make_image):
    content = make_image().read() + b"\x00" * (1024 * 1024)
    with pytest.raises(ValidationError) as exc:
        clean_image(_upload("big.jpg", content, "image/jpeg"))
    assert exc.value.code == "image_too_large"
    assert exc.value.message == "This image is too large: the limit is 1 MB."


@override_settings(IMAGE_MAX_PIXELS=100 * 100)
def test_an_image_with_too_many_pixels_is_rejected(make_image):
    assert clean_image(make_image(size=(100, 100)))  # exactly at the limit is fine
    with pytest.raises(ValidationError) as exc:
        clean_image(make_image(size=(101, 100)))
    assert exc.value.code == "image_too_big"
    assert "too big" in exc.value.message
    assert re.search(r"101\D+100", exc.value.message)  # names the offending dimensions


def test_a_thumbnail_is_a_16_by_9_jpeg(make_image):
    thumb = make_thumbnail(clean_image(make_image(format="PNG", size=(300, 300))))
    assert thumb.name.endswith(".jpg")
    image = _reopen(thumb)
    assert (image.format, image.size) == ("JPEG", (800, 450))


@pytest.mark.parametrize(
    ("head", "extension"), [(MP4_HEAD, "mp4"), (WEBM_HEAD, "webm")], ids=["mp4", "webm"]
)
def test_mp4_and_webm_are_recognised_by_signature_and_renamed(head, extension):
    upload = _upload("My Holiday.mov", head + b"\x00" * 1000, "video/quicktime")
    cleaned = clean_video(upload)
    assert re.fullmatch(rf"[0-9a-f]{{32}}\.{extension}", cleaned.name)
    assert cleaned.read(len(head)) == head  # rewound for the storage to save it whole


@pytest.mark.parametrize(
    "content",
    [
        b"RIFF\x00\x00\x00\x00AVI LIST" + b"\x00" * 40,  # AVI
        b"\x00\x00\x00\x18ftypqt  " + b"\x00" * 40,  # QuickTime brand
        b"\x1a\x45\xdf\xa3" + b"matroska" + b"\x00" * 40,  # Matroska, not WebM
        HTML,
        b"",
    ],
    ids=["avi", "quicktime", "matroska", "html", "empty"],
)
def test_other_files_are_not_accepted_as_video(content):
    with pytest.raises(ValidationError) as exc:
        clean_video(_upload("clip.mp4", content, "video/mp4"))
    assert exc.value.code == "invalid_video"
    assert exc.value.message == "Upload a video in MP4 or WebM format."


@override_settings(VIDEO_MAX_BYTES=1024 * 1024)
def test_an_oversize_video_is_rejected():
    with pytest.raises(ValidationError) as exc:
        clean_video(_upload("big.mp4", MP4_HEAD + b"\x00" * (1024 * 1024), "video/mp4"))
    assert exc.value.code == "video_too_large"
    assert "1 MB" in exc.value.message
