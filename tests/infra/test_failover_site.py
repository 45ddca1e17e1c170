"""The failover site (S3_static_Website/): a page whose picture says the site is under
construction, reachable both at the bucket root and under maintenance/ (CloudFront errors)."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

SITE = Path(__file__).resolve().parents[2] / "S3_static_Website"


def test_index_shows_the_under_construction_picture() -> None:
    html = (SITE / "index.html").read_text()
    assert "under construction" in html.lower()
    sources = re.findall(r'<img src="([^"]+)"', html)
    assert sources == ["/maintenance/under-construction.png"]
    assert re.search(r'alt="[^"]*under construction"', html)


def test_picture_is_a_real_png() -> None:
    with Image.open(SITE / "under-construction.png") as picture:
        assert picture.format == "PNG"
        assert picture.size == (960, 540)
        colours = picture.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is not None
        assert len(colours) > 5  # drawn, not blank
