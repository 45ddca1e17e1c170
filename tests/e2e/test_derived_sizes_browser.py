"""Issue 8's acceptance in a real Chromium: upload with progress, then the post shows the
derived image sizes.

The writer picks a cover in the editor; it goes from the browser straight to the bucket (a
moto server) with the progress bar moving (the upload is throttled to 2 MB/s through the Chrome
DevTools Protocol so that it is seen), and the post is published. The real relay (the
``pipeline`` fixture) hands the S3 event to the indexer and the deriver, which writes the
480/960/1600 px WebP renditions; the post page's cover then carries them in ``srcset`` and
the browser loads one of them from the bucket, under the site's Content-Security-Policy.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from PIL import Image
from playwright.sync_api import expect, sync_playwright

from cblog.posts.models import Post
from cblog.users.models import User
from local.bootstrap import Settings
from local.resources import ensure_upload_rules
from tests.e2e.conftest import wait_until
from tests.web.test_browser import ARTIFACTS, CHROMIUM_ARGS
from tests.web.test_browser import chromium_path as chromium_path

SIZES = (480, 960, 1600)


@pytest.fixture
def site(pipeline: Settings, live_server: Any, settings: Any) -> str:
    """The live server, allowed by the bucket's CORS and allowing the bucket in its policy."""
    ensure_upload_rules(pipeline.client("s3"), pipeline.bucket, [str(live_server.url)])
    directives = dict(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])
    for name in ("connect-src", "img-src", "media-src"):
        directives[name] = [*directives[name], settings.AWS_ENDPOINT_URL]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": directives}
    return str(live_server.url)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)  # the live server's thread sees committed rows only
def test_a_cover_uploads_with_progress_and_the_post_shows_its_derived_sizes(
    chromium_path: str,
    site: str,
    pipeline: Settings,
    make_user: Callable[..., User],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM beside Playwright's loop
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    author = make_user(username="dana")
    cover = tmp_path / "quay.png"  # wider than the largest size; noise: about 2 MB to upload
    Image.effect_noise((1700, 1000), 40).convert("RGB").save(cover, format="PNG")
    violations: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(15_000)
            page.on(
                "console",
                lambda m: violations.append(m.text) if "Content Security" in m.text else None,
            )
            page.goto(f"{site}/accounts/login/")
            page.get_by_label("Username").fill(author.username)
            page.get_by_label("Password").fill("correct-horse-battery-staple")
            page.get_by_role("button", name="Log in").click()
            page.goto(f"{site}/posts/new/")
            page.get_by_label("Title").fill("The quay at noon")
            page.get_by_label("Body").fill("Granite, rope and gulls.")

            cdp = page.context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": 0,
                    "downloadThroughput": -1,
                    "uploadThroughput": 2 * 1024 * 1024,
                },
            )
            page.evaluate(
                """() => { window.seen = []; setInterval(() => {
                     const bar = document.querySelector(".image-picker progress");
                     if (bar && !bar.hidden) window.seen.push(bar.value); }, 50); }"""
            )
            page.locator("#id_cover").set_input_files(cover)
            expect(
                page.get_by_role("progressbar", name="Upload progress of Cover image")
            ).to_be_visible()
            page.wait_for_function(
                "() => document.querySelector('.image-picker progress').value > 0"
            )
            page.screenshot(path=ARTIFACTS / "derived-sizes-uploading.png", full_page=True)
            expect(page.locator(".image-picker .upload-status")).to_contain_text(
                "Uploaded quay.png", timeout=30_000
            )
            seen = page.evaluate("window.seen")
            assert any(0 < value < 100 for value in seen), f"the bar never moved: {seen}"
            cdp.send(
                "Network.emulateNetworkConditions",
                {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
            )
            page.get_by_role("button", name="Publish").click()
            expect(page.get_by_role("heading", level=1, name="The quay at noon")).to_be_visible()

            # The relay's deriver records the sizes in the index; the page learns them from it.
            post = Post.objects.get(title="The quay at noon")
            key = f"media/{post.cover.name}"
            table = pipeline.client("dynamodb")

            def derived() -> list[Any] | None:
                item = table.get_item(TableName=pipeline.table, Key={"id": {"S": key}})
                return item.get("Item", {}).get("renditions", {}).get("L")

            assert wait_until(derived, 30), "the deriver recorded no renditions within 30 s"
            # The publish redirect looked before the deriver was done; the page waits a minute
            # before asking the index again (renditions.RECHECK_SECONDS): forget that miss.
            cache.delete(f"renditions-miss:{key}")
            page.reload()

            cover_img = page.locator("img.post-cover")
            srcset = cover_img.get_attribute("srcset") or ""
            for width in SIZES:
                assert re.search(rf"/derived/\S+/{width}w\.webp\S* {width}w", srcset), srcset
            page.wait_for_function(
                "() => { const i = document.querySelector('img.post-cover');"
                " return i.complete && i.naturalWidth > 0; }"
            )
            # naturalWidth of a srcset image is in CSS pixels (the layout's 672 px); the file's
            # own width comes from loading the chosen candidate on its own (from the cache).
            loaded = page.evaluate(
                """async () => { const chosen = document.querySelector('img.post-cover');
                     const file = new Image(); file.src = chosen.currentSrc; await file.decode();
                     return {src: chosen.currentSrc, shown: chosen.naturalWidth,
                             width: file.naturalWidth}; }"""
            )
            assert loaded["shown"] > 0, loaded
            assert loaded["width"] in SIZES, loaded
            assert re.search(rf"/{loaded['width']}w\.webp", loaded["src"]), loaded
            page.screenshot(path=ARTIFACTS / "derived-sizes-post.png", full_page=True)
            # The author has no avatar: the author page shows an initial, not an empty circle.
            page.goto(f"{site}/authors/{author.username}/")
            page.screenshot(path=ARTIFACTS / "author-without-avatar.png", full_page=True)
        finally:
            browser.close()
    assert not violations, violations
