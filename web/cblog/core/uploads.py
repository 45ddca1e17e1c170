"""Validate uploads by their content, never by their name or declared type.

Images are decoded by Pillow (restricted to an allow-list of formats), checked against size and
pixel limits and re-encoded: metadata is dropped and a file that is both an image and something
else (a polyglot) comes out as an image only. Videos are recognised by their file signature.
Accepted files get a random name; the storage path adds the kind and the owner's id.
"""

from __future__ import annotations

import io
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow format name -> file extension.
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
THUMBNAIL_SIZE = (800, 450)

# Brands an ISO base media file (MP4) may declare in its `ftyp` box.
_MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"M4VH",
    b"dash",
    b"MSNV",
    b"f4v ",
}
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"


def random_name(extension: str) -> str:
    """A fresh, unguessable file name: 32 hex characters plus the extension."""
    return f"{secrets.token_hex(16)}.{extension}"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def clean_image(upload: UploadedFile) -> ContentFile:
    """Return the image re-encoded under a random name, or raise ``ValidationError``."""
    if upload.size is not None and upload.size > settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            f"This image is too large: the limit is {_megabytes(settings.IMAGE_MAX_BYTES)}.",
            code="image_too_large",
        )
    upload.seek(0)
    try:
        with Image.open(upload, formats=list(IMAGE_FORMATS)) as image:
            width, height = image.size
            if width * height > settings.IMAGE_MAX_PIXELS:
                raise ValidationError(
                    f"This image is too big ({width} x {height} pixels).", code="image_too_big"
                )
            image_format = image.format
            image.load()
            cleaned = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise ValidationError(
            "Upload a valid image: JPEG, PNG or WebP.", code="invalid_image"
        ) from exc
    return ContentFile(
        _encode(cleaned, image_format), name=random_name(IMAGE_FORMATS[image_format])
    )


def _encode(image: Image.Image, image_format: str) -> bytes:
    """Encode pixels only: no EXIF, no comments, no trailing bytes."""
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if image_format == "PNG" and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    buffer = io.BytesIO()
    options = {"quality": 88, "optimize": True} if image_format in ("JPEG", "WEBP") else {}
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def make_thumbnail(image_file: ContentFile | UploadedFile) -> ContentFile:
    """A JPEG cover thumbnail (cropped to 16:9) for cards and feeds."""
    image_file.seek(0)
    with Image.open(image_file, formats=list(IMAGE_FORMATS)) as image:
        thumb = ImageOps.fit(image.convert("RGB"), THUMBNAIL_SIZE)
    buffer = io.BytesIO()
    thumb.save(buffer, format="JPEG", quality=82, optimize=True)
    return ContentFile(buffer.getvalue(), name=random_name("jpg"))


def image_extension(head: bytes) -> str | None:
    """The extension for a JPEG, PNG or WebP image recognised by its first bytes, or ``None``."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def video_extension(head: bytes) -> str | None:
    """The extension for a video recognised by its first bytes, or ``None``."""
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _MP4_BRANDS:
        return "mp4"
    if head.startswith(_EBML_MAGIC) and b"webm" in head[:64]:
        return "webm"
    return None


def clean_video(upload: UploadedFile) -> UploadedFile:
    """Return the upload renamed at random if it is an MP4 or WebM video within the size limit."""
    if upload.size is not None and upload.size > settings.VIDEO_MAX_BYTES:
        raise ValidationError(
            f"This video is too large: the limit is {_megabytes(settings.VIDEO_MAX_BYTES)}.",
            code="video_too_large",
        )
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    extension = video_extension(head)
    if extension is None:
        raise ValidationError("Upload a video in MP4 or WebM format.", code="invalid_video")
    upload.name = random_name(extension)
    return upload
