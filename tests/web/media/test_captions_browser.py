"""A real Chromium plays a post's video with its captions track, the media on another origin.

As in make dev, the media are on the bucket's endpoint (a moto server), another origin than
the site: the video is fetched with ``crossorigin="anonymous"`` and the bucket's CORS rule
lets the site read it, under the site's Content-Security-Policy. The video is a real WebM,
recorded by the same Chromium from a canvas (no encoder is needed on the machine).
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect

from cblog.posts import services
from cblog.posts.models import Post
from tests.web.media.test_direct_upload_browser import site as site
from tests.web.media.test_direct_uploads import bucket as bucket
from tests.web.media.test_direct_uploads import moto_endpoint as moto_endpoint
from tests.web.test_browser import ARTIFACTS, CHROMIUM_ARGS, _serious_violations
from tests.web.test_browser import chromium_path as chromium_path

CAPTIONS = "WEBVTT\n\n00:00.000 --> 00:05.000\nGulls circle over the harbour at dawn.\n"

# Two seconds of a changing colour, recorded by MediaRecorder and returned base64-encoded.
RECORD_WEBM = """async () => {
  const canvas = Object.assign(document.createElement("canvas"), {width: 640, height: 360});
  const paint = canvas.getContext("2d");
  const recorder = new MediaRecorder(canvas.captureStream(25), {mimeType: "video/webm"});
  const chunks = [];
  recorder.ondataavailable = (event) => chunks.push(event.data);
  const stopped = new Promise((done) => { recorder.onstop = done; });
  recorder.start(200);
  const start = performance.now();
  await new Promise((done) => {
    const draw = () => {
      const t = (performance.now() - start) / 1000;
      paint.fillStyle = `hsl(${200 + t * 30}, 55%, ${30 + t * 10}%)`;
      paint.fillRect(0, 0, 640, 360);
      if (t < 2) requestAnimationFrame(draw); else done();
    };
    draw();
  });
  recorder.stop();
  await stopped;
  const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}"""


@pytest.mark.browser
def test_the_captions_track_loads_cross_origin_under_the_csp_and_shows_accessibly(
    chromium_path: str, site: str, bucket: Any, make_user: Any, monkeypatch: Any
) -> None:
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    author = make_user(username="cora")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            recorder = browser.new_page()
            webm = base64.b64decode(recorder.evaluate(RECORD_WEBM))
            recorder.close()
            post = services.post_create(
                author=author,
                title="Harbour at dawn",
                body="A short film from the pier, with captions.",
                status=Post.Status.PUBLISHED,
                video=ContentFile(webm, name="dawn.webm"),
                captions=ContentFile(CAPTIONS.encode(), name="dawn.vtt"),
                captions_language="en",
            )
            assert post.captions.url.startswith(bucket.meta.client.meta.endpoint_url)
            for name, viewport in {"desktop": (1280, 900), "phone": (390, 844)}.items():
                context = browser.new_context(
                    viewport={"width": viewport[0], "height": viewport[1]}
                )
                page = context.new_page()
                page.set_default_timeout(15_000)
                _check_captions(page, f"{site}{post.get_absolute_url()}", name)
                context.close()
        finally:
            browser.close()


def _check_captions(page: Page, url: str, name: str) -> None:
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
    )
    page.goto(url)
    video = page.locator("video.post-video")
    expect(video).to_have_attribute("crossorigin", "anonymous")
    # 2 is LOADED (3 would be ERROR: blocked by the CSP, or CORS refused).
    page.wait_for_function(
        "() => document.querySelector('video.post-video track').readyState === 2"
    )
    track = page.evaluate(
        """() => { const t = document.querySelector('video.post-video').textTracks[0];
                   return {mode: t.mode, kind: t.kind, language: t.language, label: t.label,
                           cue: t.cues[0].text}; }"""
    )
    assert track == {
        "mode": "showing",
        "kind": "captions",
        "language": "en",
        "label": "English",
        "cue": "Gulls circle over the harbour at dawn.",
    }
    # The video itself came through CORS too, and plays: stop on a frame with the caption.
    page.evaluate(
        "() => { const v = document.querySelector('video.post-video'); v.muted = true;"
        " return v.play(); }"
    )
    page.wait_for_function("() => document.querySelector('video.post-video').currentTime > 0.5")
    page.evaluate("() => document.querySelector('video.post-video').pause()")
    video.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / f"captions-post-{name}.png", full_page=True)
    assert not problems, problems
    assert not _serious_violations(page)  # axe-core: no serious or critical violation
