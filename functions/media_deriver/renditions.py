"""The deriver's pure core: one uploaded image in, its served renditions out.

Decode with Pillow (an allow-list of formats, the web tier's size and pixel limits), turn it
upright, bring colours to sRGB, and re-encode pixels only: no EXIF, XMP, ICC profile, JPEG
comment or trailing bytes survive, so a polyglot comes out as an image and nothing else.
Outputs: the served rendition (the original's format, at most `SERVED_MAX_WIDTH` wide) and WebP
sizes at `WIDTHS` narrower than the image (never upscaled). No AWS here.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

# Pillow format name -> (file extension, Content-Type): the web tier's allow-list.
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
WIDTHS = (480, 960, 1600)
SERVED_MAX_WIDTH = 2560
_SRGB = ImageCms.createProfile("sRGB")
_OPTIONS: dict[str, dict[str, object]] = {
    "JPEG": {"quality": 85, "optimize": True, "progressive": True},
    "PNG": {},
    "WEBP": {"quality": 82, "method": 4},
}


class RefusedImage(ValueError):
    """Not an image this pipeline serves (format, size, pixels, corrupt): never retried."""


@dataclass(frozen=True, slots=True)
class Rendition:
    name: str  # file name under the original's derived/ folder, e.g. "480w.webp"
    width: int
    height: int
    content_type: str
    body: bytes


def derive(data: bytes, *, max_bytes: int, max_pixels: int) -> list[Rendition]:
    """The served rendition first, then the WebP sizes, narrowest first.

    Raises `RefusedImage` for anything the web tier would refuse: over `max_bytes`, over
    `max_pixels` (decompression bombs included: the header is checked before decoding), not
    JPEG/PNG/WebP, or undecodable.
    """
    if len(data) > max_bytes:
        raise RefusedImage(f"{len(data)} bytes is over the {max_bytes}-byte limit")
    image = _decode(data, max_pixels)
    # A phone's multi-picture JPEG opens as MPO: its first picture is served as a JPEG.
    image_format = "JPEG" if image.format == "MPO" else image.format or ""
    if image_format not in FORMATS:
        raise RefusedImage(f"not a JPEG, PNG or WebP image: {image.format}")
    upright = _pixels_only(_to_srgb(ImageOps.exif_transpose(image)))
    served = _fit_width(upright, SERVED_MAX_WIDTH)
    extension, content_type = FORMATS[image_format]
    result = [_encode(served, image_format, f"full.{extension}", content_type)]
    for width in WIDTHS:
        if width < upright.width:
            result.append(
                _encode(_fit_width(upright, width), "WEBP", f"{width}w.webp", "image/webp")
            )
    return result


def _decode(data: bytes, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice that: refuse there too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            width, height = image.size
            if width * height > max_pixels:
                raise RefusedImage(f"{width} x {height} pixels is over the {max_pixels} limit")
            image.load()
    except RefusedImage:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise RefusedImage(f"not a valid JPEG, PNG or WebP image: {exc}") from exc
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert colours to sRGB by the embedded profile, so the profile is no longer needed."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unreadable profile: the pixels as they are, the profile dropped


def _pixels_only(image: Image.Image) -> Image.Image:
    """A copy that keeps the pixels and nothing else (Pillow carries `info` through copies)."""
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = image.mode in ("PA", "P") and "transparency" in image.info
        image = image.convert("RGBA" if has_alpha or image.mode == "PA" else "RGB")
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    clean.info = {}
    return clean


def _fit_width(image: Image.Image, width: int) -> Image.Image:
    if image.width <= width:
        return image
    height = max(1, round(image.height * width / image.width))
    resized = image.resize((width, height), Image.Resampling.LANCZOS)
    resized.info = {}
    return resized


def _encode(image: Image.Image, image_format: str, name: str, content_type: str) -> Rendition:
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")  # JPEG has no alpha
    options = _OPTIONS[image_format]
    buffer = io.BytesIO()
    # Nothing but pixels: exif, icc_profile, comment and xmp are never passed.
    image.save(buffer, format=image_format, **options)
    return Rendition(name, image.width, image.height, content_type, buffer.getvalue())
