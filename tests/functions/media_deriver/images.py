"""Images made on the spot for the deriver's tests: plain, oriented, with every metadata
segment, and the polyglot JPEG (an image that is also HTML and PHP)."""

from __future__ import annotations

import io

from PIL import Image, ImageCms

SCRIPT = b"<script>alert(document.cookie)</script>"
PHP = b"<?php system($_GET['c']); ?>"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>secret-location</rdf:RDF></x:xmpmeta>'


def image_bytes(
    size: tuple[int, int] = (2000, 1000), image_format: str = "JPEG", **options: object
) -> bytes:
    """A gradient (so resizing has something to do) in `image_format`."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image.putpixel((0, 0), (255, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def with_metadata(size: tuple[int, int] = (1200, 800)) -> bytes:
    """A JPEG with EXIF (camera, orientation 6), an ICC profile, XMP and a comment."""
    exif = Image.Exif()
    exif[0x0110] = "SecretCam 3000"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = image_bytes(size, exif=exif.tobytes(), icc_profile=icc, comment=b"shot at home")
    return insert_segment(data, 0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP)


def polyglot_jpeg() -> bytes:
    """A valid JPEG whose comment segment holds <script> and <?php, with HTML after EOI."""
    data = insert_segment(image_bytes((800, 600)), 0xFE, SCRIPT + PHP)
    return data + b"<html><body>" + SCRIPT + PHP + b"</body></html>"


def insert_segment(jpeg: bytes, marker: int, payload: bytes) -> bytes:
    """`jpeg` with one more segment right after its SOI marker."""
    assert jpeg[:2] == b"\xff\xd8"
    segment = bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload
    return jpeg[:2] + segment + jpeg[2:]


def jpeg_markers(jpeg: bytes) -> list[int]:
    """The markers of every segment before the image data (SOS), in order."""
    assert jpeg[:2] == b"\xff\xd8", "not a JPEG"
    markers, offset = [], 2
    while offset < len(jpeg):
        assert jpeg[offset] == 0xFF, f"no marker at {offset}"
        marker = jpeg[offset + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            return markers
        length = int.from_bytes(jpeg[offset + 2 : offset + 4], "big")
        offset += 2 + length
    raise AssertionError("no start of scan")


def webp_chunks(webp: bytes) -> list[bytes]:
    """The RIFF chunk names of a WebP file (EXIF, XMP, ICCP would carry metadata)."""
    assert webp[:4] == b"RIFF", "not a RIFF file"
    assert webp[8:12] == b"WEBP", "not a WebP"
    chunks, offset = [], 12
    while offset + 8 <= len(webp):
        name, size = (
            webp[offset : offset + 4],
            int.from_bytes(webp[offset + 4 : offset + 8], "little"),
        )
        chunks.append(name)
        offset += 8 + size + (size & 1)
    return chunks
