"""Uploads straight from the browser to the media bucket, checked before they are attached.

1. ``presign``: a presigned POST for ``incoming/<kind>/<user id>/<random>.<ext>`` — the key,
   the Content-Type and the size range (1 byte to the kind's limit) are part of the signed
   policy, which expires after ``PRESIGN_SECONDS``. The browser posts the file to S3.
2. ``verify``: the form submits only the key. It must name an object under the user's own
   incoming prefix, of a size within the limit, whose first bytes (a ranged GET) carry the
   signature of its extension (``cblog.core.uploads``). A failing object there is deleted.
3. ``promote``: a server-side copy to ``media/<kind>/<user id>/<name>`` (the layout the indexer
   and the deriver watch), then the incoming object is deleted.

Abandoned incoming objects expire through the bucket's lifecycle rule on ``incoming/``
(template.yaml; ``media_reconcile --fix`` on the local endpoint, which has no lifecycle).
"""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

from cblog.core.uploads import IMAGE_FORMATS, image_extension, video_extension

INCOMING = "incoming"
PRESIGN_SECONDS = 600
_IMAGE_HEAD_BYTES = 256 * 1024  # where an image's header (and its size) is found
_IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
_VIDEO_TYPES = {"video/mp4": "mp4", "video/webm": "webm"}


@dataclass(frozen=True)
class Kind:
    name: str  # the folder under incoming/ and media/
    types: dict[str, str]  # content type -> extension
    sniff: Callable[[bytes], str | None]
    limit_setting: str
    label: str

    @property
    def max_bytes(self) -> int:
        return int(getattr(settings, self.limit_setting))


KINDS = {
    "images": Kind("images", _IMAGE_TYPES, image_extension, "IMAGE_MAX_BYTES", "JPEG, PNG or WebP"),
    "avatars": Kind(
        "avatars", _IMAGE_TYPES, image_extension, "IMAGE_MAX_BYTES", "JPEG, PNG or WebP"
    ),
    "videos": Kind("videos", _VIDEO_TYPES, video_extension, "VIDEO_MAX_BYTES", "MP4 or WebM"),
}


@dataclass(frozen=True)
class Incoming:
    """An uploaded object that passed ``verify``."""

    kind: str
    key: str
    user_id: int
    size: int

    @property
    def storage_name(self) -> str:
        """Its name once promoted, relative to the media storage (``<kind>/<user>/<file>``)."""
        return f"{self.kind}/{self.user_id}/{self.key.rsplit('/', 1)[1]}"


def enabled() -> bool:
    """Direct uploads need the media bucket; with local files the form upload is used."""
    return bool(settings.MEDIA_BUCKET)


@lru_cache(maxsize=4)
def _client(region: str, endpoint_url: str | None) -> Any:
    config = Config(signature_version="s3v4", retries={"max_attempts": 3})
    return boto3.client("s3", region_name=region, endpoint_url=endpoint_url, config=config)


def s3() -> Any:
    return _client(settings.AWS_REGION, settings.AWS_ENDPOINT_URL)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def presign(*, user_id: int, kind: str, content_type: str) -> dict[str, Any]:
    """A presigned POST for one new object of ``kind``; ``ValidationError`` for a type the
    kind does not take."""
    spec = KINDS[kind]
    extension = spec.types.get(content_type)
    if extension is None:
        raise ValidationError(f"Choose a {spec.label} file.", code="upload_type")
    key = f"{INCOMING}/{kind}/{user_id}/{secrets.token_hex(16)}.{extension}"
    post = s3().generate_presigned_post(
        Bucket=settings.MEDIA_BUCKET,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, spec.max_bytes]],
        ExpiresIn=PRESIGN_SECONDS,
    )
    return {"url": post["url"], "fields": post["fields"], "key": key, "max_bytes": spec.max_bytes}


def _delete(key: str) -> None:
    s3().delete_object(Bucket=settings.MEDIA_BUCKET, Key=key)


def verify(*, user_id: int, kind: str, key: str) -> Incoming:
    """Check the object ``key`` before it is attached; raise ``ValidationError`` otherwise.

    A key outside ``incoming/<kind>/<user_id>/`` is refused and left alone: deleting whatever
    a form names would let anyone delete anyone's media. Under that prefix, an object that is
    too large or not what its extension says is deleted.
    """
    spec = KINDS[kind]
    extensions = "|".join(sorted(set(spec.types.values())))
    prefix = f"{INCOMING}/{kind}/{user_id}/"
    match = re.fullmatch(rf"{re.escape(prefix)}[0-9a-f]{{32}}\.({extensions})", key)
    if match is None:
        raise ValidationError(
            "This upload is not yours or not of this kind. Please upload the file again.",
            code="upload_foreign",
        )
    bucket = settings.MEDIA_BUCKET
    try:
        head = s3().head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            raise ValidationError(
                "The upload did not arrive. Please upload the file again.", code="upload_missing"
            ) from exc
        raise
    try:
        size = head["ContentLength"]
        if size > spec.max_bytes:
            raise ValidationError(
                f"This file is too large: the limit is {_megabytes(spec.max_bytes)}.",
                code="upload_too_large",
            )
        head_bytes = _IMAGE_HEAD_BYTES if spec.types is _IMAGE_TYPES else 64
        first = s3().get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{head_bytes - 1}")
        first = first["Body"].read()
        if spec.sniff(first[:64]) != match.group(1):
            raise ValidationError(
                f"This file is not what it claims to be: upload a {spec.label} file.",
                code="upload_type",
            )
        if spec.types is _IMAGE_TYPES:
            _check_image_head(first)
    except ValidationError:
        _delete(key)
        raise
    return Incoming(kind=kind, key=key, user_id=user_id, size=size)


def _check_image_head(head: bytes) -> None:
    """The image's header (within its first bytes) parses and its size is within the pixel
    limit; the pixels themselves are decoded later, by the thumbnail and the pipeline."""
    try:
        with Image.open(io.BytesIO(head), formats=list(IMAGE_FORMATS)) as image:
            width, height = image.size
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise ValidationError(
            "Upload a valid image: JPEG, PNG or WebP.", code="invalid_image"
        ) from exc
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise ValidationError(
            f"This image is too big ({width} x {height} pixels).", code="image_too_big"
        )


def promote(upload: Incoming) -> str:
    """Copy a verified upload into the media layout, delete the incoming object and return
    the new object's name in the media storage."""
    name = upload.storage_name
    location = getattr(default_storage, "location", "")
    target = f"{location}/{name}" if location else name
    s3().copy_object(
        Bucket=settings.MEDIA_BUCKET,
        Key=target,
        CopySource={"Bucket": settings.MEDIA_BUCKET, "Key": upload.key},
        MetadataDirective="COPY",
    )
    _delete(upload.key)
    return name


def promote_all(changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` with every verified upload promoted and replaced by its storage name."""
    return {
        name: promote(value) if isinstance(value, Incoming) else value
        for name, value in changes.items()
    }
