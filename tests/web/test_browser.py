"""End-to-end walk through the blog in a real Chromium, driven by Playwright (sync API).

register → log out → log in → write a post with a cover image → see it on the home page →
comment → like → log out. Each step leaves a full-page screenshot in
``test-artifacts/browser/`` (gitignored) for a human to look at.

Chromium is Debian's (``/usr/bin/chromium``); ``playwright install`` cannot download browsers
here. Without it the test skips locally and fails under ``CI=true``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from PIL import Image
from playwright.sync_api import Locator, Page, expect, sync_playwright

from cblog.posts.models import Category, Comment, Like, Post

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def chromium_path() -> str:
    """Debian's Chromium: a failure under CI=true, a skip elsewhere."""
    found = shutil.which("chromium")
    if found is None:
        message = "Chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture
def browser_site(live_server: Any, media_root: Path) -> str:
    """The live server's URL; like Django's, it serves uploads from this test's MEDIA_ROOT."""
    return str(live_server.url)


@pytest.fixture
def page(chromium_path: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Page]:
    # Playwright's sync API keeps an event loop in this thread; Django's ORM refuses to run
    # beside one unless told that this (single-threaded, test-only) use is safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            yield page
        finally:
            # Whatever happened, the last page the browser showed is kept for the post-mortem.
            page.screenshot(path=ARTIFACTS / "99-last-page.png", full_page=True)
            context.close()
            browser.close()


@pytest.fixture
def cover_path(tmp_path: Path) -> Path:
    """A real 1200x675 JPEG made by Pillow: a gradient, so a broken thumbnail is obvious."""
    image = Image.linear_gradient("L").resize((1200, 675)).convert("RGB")
    target = tmp_path / "harbour-at-dawn.jpg"
    image.save(target, format="JPEG", quality=85)
    return target


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def _nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


@pytest.mark.browser
def test_visitor_registers_writes_a_post_with_a_cover_comments_likes_and_logs_out(
    page: Page, browser_site: str, cover_path: Path
) -> None:
    Category.objects.create(name="Travel", slug="travel")
    title = "A harbour at dawn"
    comment_text = "Lovely light on the water."

    # Register, then confirm through the link that was mailed: signed in.
    page.goto(f"{browser_site}/accounts/register/")
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    page.get_by_label("Username").fill("walker")
    page.get_by_label("E-mail address").fill("walker@example.com")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    _shot(page, "01-register-form")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    [confirmation] = mail.outbox
    page.goto(re.search(r"http://\S+", confirmation.body).group(0))
    expect(page.get_by_role("status")).to_contain_text("Welcome to cblog, walker!")
    expect(_nav(page)).to_contain_text("Signed in as walker")
    _shot(page, "02-registered")

    # Log out and back in through the login form.
    _nav(page).get_by_role("button", name="Log out").click()
    _nav(page).get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page).to_have_title("Log in · cblog")  # the site's name, not the request's host
    page.get_by_label("Username").fill("walker")
    page.get_by_label("Password").fill(PASSWORD)
    _shot(page, "03-login-form")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text("Welcome back, walker.")
    expect(_nav(page)).to_contain_text("Signed in as walker")

    # Write a published post with a cover image.
    _nav(page).get_by_role("link", name="Write").click()
    expect(page.get_by_role("heading", name="Write a post")).to_be_visible()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Body").fill("The boats come in **before** sunrise.\n\n- gulls\n- nets")
    page.get_by_label("Category").select_option(label="Travel")
    page.get_by_label("Tags").fill("sea, photography")
    page.get_by_label("Cover image").set_input_files(cover_path)
    page.get_by_label("Status").select_option(label="Published")
    _shot(page, "04-post-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(page.locator(".post-body strong")).to_have_text("before")
    expect(page.get_by_role("list", name="Tags")).to_contain_text("#photography")
    _shot(page, "05-post-detail")

    # The home page lists it, with a thumbnail that actually loads.
    page.get_by_role("link", name="cblog", exact=True).click()
    card = page.get_by_role("article").filter(has=page.get_by_role("heading", name=title))
    expect(card).to_be_visible()
    expect(card).to_contain_text("by walker")
    expect(card).to_contain_text("in Travel")
    thumbnail = card.locator("img.card-cover")
    expect(thumbnail).to_have_attribute("src", re.compile(r"^/media/.+"))
    thumbnail.scroll_into_view_if_needed()  # it is loading="lazy"
    expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("img => img.naturalWidth") > 0, "the cover thumbnail did not load"
    _shot(page, "06-home-with-post")

    # Comment on it.
    card.get_by_role("link", name=title).click()
    page.get_by_label("Your comment").fill(comment_text)
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("status")).to_contain_text("Your comment is posted.")
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(page.locator("#comments .comment-body")).to_have_text(comment_text)
    _shot(page, "07-commented")

    # Like it: the button turns pressed and the count goes to 1.
    like = page.get_by_role("button", name=re.compile(r"Like"))
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(like).to_have_accessible_name(re.compile(r"Like · 0$"))
    like.click()
    expect(page.get_by_role("status")).to_contain_text("You like this post.")
    liked = page.get_by_role("button", name=re.compile(r"Liked"))
    expect(liked).to_have_attribute("aria-pressed", "true")
    expect(liked).to_have_accessible_name(re.compile(r"Liked · 1$"))
    _shot(page, "08-liked")

    # Log out: the nav offers "Log in" again and the home card shows the new counts.
    _nav(page).get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You have been logged out.")
    expect(_nav(page).get_by_role("link", name="Log in")).to_be_visible()
    expect(_nav(page).get_by_role("button", name="Log out")).to_have_count(0)
    expect(card.locator(".counts")).to_contain_text("1 comment")
    expect(card.locator(".counts")).to_contain_text("1 like")
    _shot(page, "09-logged-out")

    # A phone-sized screen: the page reflows instead of scrolling sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(card).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the home page is {overflow}px wider than a 390px screen"
    _shot(page, "10-home-phone")

    post = Post.objects.get(title=title)
    assert post.author.username == "walker"
    assert post.cover
    assert post.cover_thumbnail
    assert Comment.objects.get(post=post).body == comment_text
    assert Like.objects.filter(post=post, user=post.author).count() == 1
