"""A real Chromium uploads a video straight to the bucket (a moto server), with the progress
bar, under the site's Content-Security-Policy; the post then plays it from media/.

The upload is throttled to 4 MB/s (Chrome DevTools Protocol) so that the bar is seen moving.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from cblog.posts.models import Post
from local.resources import ensure_upload_rules
from tests.web.media.test_direct_uploads import MP4, _keys
from tests.web.media.test_direct_uploads import bucket as bucket
from tests.web.media.test_direct_uploads import moto_endpoint as moto_endpoint
from tests.web.test_browser import ARTIFACTS
from tests.web.test_browser import chromium_path as chromium_path
from tests.web.test_browser import page as page

MB = 1024 * 1024


@pytest.fixture
def site(live_server: Any, bucket: Any, moto_endpoint: str, settings: Any) -> str:
    """The live server, allowed by the bucket's CORS and allowing the bucket in its policy."""
    ensure_upload_rules(bucket.meta.client, bucket.name, [str(live_server.url)])
    directives = dict(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])
    for name in ("connect-src", "img-src", "media-src"):
        directives[name] = [*directives[name], moto_endpoint]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": directives}
    return str(live_server.url)


@pytest.mark.browser
def test_a_video_goes_straight_to_the_bucket_with_a_progress_bar(
    page: Page, site: str, bucket: Any, make_user: Any, password: str, tmp_path: Path
) -> None:
    author = make_user(username="vera")
    video = tmp_path / "harbour.mp4"
    video.write_bytes(MP4 + bytes(12 * MB))
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)

    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Username").fill(author.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{site}/posts/new/")
    page.get_by_label("Title").fill("Boats at dawn")
    page.get_by_label("Body").fill("Filmed from the pier.")

    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 4 * MB},
    )
    # Sample the bar while the upload runs.
    page.evaluate(
        """() => { window.seen = []; setInterval(() => {
             const bar = document.querySelector("#id_video ~ progress");
             if (bar && !bar.hidden) window.seen.push(bar.value); }, 50); }"""
    )
    expect(page.get_by_role("progressbar")).to_have_count(0)  # none before a file is chosen
    page.locator("#id_video").set_input_files(video)
    bar = page.get_by_role("progressbar", name="Upload progress of Video")
    expect(bar).to_be_visible()
    page.wait_for_function("() => document.querySelector('#id_video ~ progress').value > 0")
    page.screenshot(path=ARTIFACTS / "direct-upload-progress.png", full_page=True)
    expect(page.locator(".upload-status").last).to_contain_text(
        "Uploaded harbour.mp4", timeout=60_000
    )
    expect(bar).to_have_js_property("value", 100)
    seen = page.evaluate("window.seen")
    assert any(0 < value < 100 for value in seen), f"the bar never moved: {seen}"
    page.screenshot(path=ARTIFACTS / "direct-upload-done.png", full_page=True)

    # The cover through the image control: previewed at once, then uploaded the same way.
    cover = tmp_path / "pier.png"
    Image.linear_gradient("L").resize((640, 360)).convert("RGB").save(cover, format="PNG")
    page.locator("#id_cover").set_input_files(cover)
    expect(page.locator(".image-picker-preview")).to_have_attribute("src", re.compile("^blob:"))
    expect(page.locator(".image-picker .upload-status")).to_contain_text("Uploaded pier.png")
    expect(page.locator("#id_cover_name")).to_have_value("pier.png")

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", level=1, name="Boats at dawn")).to_be_visible()
    player = page.locator("video.post-video")
    expect(player).to_be_visible()
    post = Post.objects.get(title="Boats at dawn")
    assert post.video.name.startswith(f"videos/{author.pk}/")
    assert post.cover.name.startswith(f"images/{author.pk}/")
    assert not [key for key in _keys(bucket) if key.startswith("incoming/")]  # all promoted
    assert bucket.Object(f"media/{post.video.name}").content_length == len(MP4) + 12 * MB
    assert not violations, violations
