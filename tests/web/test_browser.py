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
from django.urls import reverse
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
    _shot(page, "04-post-form")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(page.locator(".post-body strong")).to_have_text("before")
    expect(page.get_by_role("list", name="Tags")).to_contain_text("#photography")
    _shot(page, "05-post-detail")

    # The home page lists it, with a thumbnail that actually loads.
    page.get_by_role("link", name="cblog", exact=True).click()
    card = page.get_by_role("article").filter(has=page.get_by_role("heading", name=title))
    expect(card).to_be_visible()
    expect(card).to_contain_text("by walker")
    expect(card.locator(".card-kicker")).to_have_text("Travel")
    expect(card.locator("img.card-cover")).to_have_attribute("alt", title)
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


# --- Accessibility and looks: axe-core on every page a reader or writer uses, two widths ---

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SERIOUS = {"serious", "critical"}


@pytest.fixture
def demo_site(browser_site: str, media_root: Path, settings: Any) -> Iterator[dict[str, str]]:
    """The demo content, with alice's covers in a media index (moto, in this process)."""
    import boto3
    from django.core.management import call_command
    from moto import mock_aws

    from cblog.media import index
    from local.resources import ensure_table

    call_command("seed_demo", verbosity=0)
    settings.MEDIA_INDEX_TABLE = "cblog-media-index-browser"
    settings.AWS_REGION = "us-east-1"
    settings.AWS_ENDPOINT_URL = None
    index._table.cache_clear()
    with mock_aws():
        ensure_table(boto3.client("dynamodb", region_name="us-east-1"), "cblog-media-index-browser")
        table = boto3.resource("dynamodb", region_name="us-east-1").Table(
            "cblog-media-index-browser"
        )
        alice = Post.objects.filter(author__username="alice")
        # As the indexer records them: each cover and its card thumbnail (one row in My
        # media), plus a picture and a video nothing uses (rows marked unused).
        files = [(post.cover, post.created_at) for post in alice]
        files += [(post.cover_thumbnail, post.created_at) for post in alice]
        owner = alice[0].author_id
        for name in (f"images/{owner}/unused-picture.jpg", f"videos/{owner}/unused-clip.mp4"):
            files.append((name, alice[0].created_at))
        for file, created in files:
            name = getattr(file, "name", file)
            table.put_item(
                Item={
                    "id": f"media/{name}",
                    "owner": str(owner),
                    "kind": name.split("/")[0],
                    "size": 123_456,
                    "content_type": "video/mp4" if name.endswith(".mp4") else "image/jpeg",
                    "created_at": created.isoformat(),
                    "deleted": False,
                }
            )
        yield {
            "home": "/",
            "post": Post.objects.get(title="A week on the Lycian Way").get_absolute_url(),
            "search": f"{reverse('posts:search')}?q=bread",
            "search-empty": reverse("posts:search"),
            "404": "/no/such/page/",
            "editor": reverse("posts:create"),
            "editor-edit": reverse(
                "posts:update", args=[Post.objects.get(title="A week on the Lycian Way").slug]
            ),
            "profile": reverse("users:profile"),
            "my-media": reverse("media:mine"),
        }
    index._table.cache_clear()


def _load_every_image(page: Page) -> None:
    """Lazy images load only near the viewport: make them eager so full-page shots show them."""
    page.evaluate(
        """() => Promise.all([...document.images].map(img => {
             img.loading = "eager";
             return img.complete ? null : new Promise(done => { img.onload = img.onerror = done; });
           }))"""
    )


def _serious_violations(page: Page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


def _log_in(page: Page, site: str, username: str) -> None:
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text(f"Welcome back, {username}.")


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_has_no_serious_accessibility_violations_at_two_widths(
    chromium_path: str, browser_site: str, demo_site: dict[str, str], scheme: str, monkeypatch
) -> None:
    """axe-core (bundled by axe-playwright-python) on each page, desktop and 390 px wide,
    signed out for the public pages and signed in for the writer's; a screenshot of each."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            for width_name, viewport in VIEWPORTS.items():
                context = browser.new_context(viewport=viewport, color_scheme=scheme)
                page = context.new_page()
                page.set_default_timeout(15_000)
                for name, path in demo_site.items():
                    if name == "editor":  # the writer's pages, signed in from here on
                        _log_in(page, browser_site, "alice")
                    response = page.goto(f"{browser_site}{path}")
                    assert response is not None
                    assert response.status == (404 if name == "404" else 200), name
                    _load_every_image(page)
                    page.screenshot(
                        path=ARTIFACTS / f"a11y-{name}-{width_name}-{scheme}.png", full_page=True
                    )
                    violations = _serious_violations(page)
                    if violations:
                        found[f"{name} at {width_name} ({scheme})"] = violations
                    overflow = page.evaluate(
                        "document.documentElement.scrollWidth - window.innerWidth"
                    )
                    assert overflow <= 0, f"{name} is {overflow}px wider than the {width_name}"
                context.close()
        finally:
            browser.close()
    assert not found, "\n".join(f"{page}: {v}" for page, vs in found.items() for v in vs)


@pytest.mark.browser
def test_phone_header_is_one_row_with_a_menu_button_and_focus_ring_contrasts(
    page: Page, browser_site: str, demo_site: dict[str, str]
) -> None:
    page.set_viewport_size(VIEWPORTS["phone"])
    _log_in(page, browser_site, "alice")  # signed in: the longest navigation
    page.goto(f"{browser_site}/")
    header = page.locator(".site-header")
    assert header.bounding_box()["height"] < 80, "the phone header wraps onto several rows"
    expect(_nav(page)).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(_nav(page).get_by_role("link", name="My posts")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "a11y-menu-open-phone.png")
    _nav(page).get_by_role("link", name="My posts").click()
    page.get_by_text("Menu", exact=True).click()
    expect(_nav(page).get_by_role("link", name="My posts")).to_have_attribute(
        "aria-current", "page"
    )

    # Desktop: no menu button, the navigation is simply there.
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.goto(f"{browser_site}/")
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    expect(_nav(page).get_by_role("link", name="My posts")).to_be_visible()

    # The focus ring: at least 3:1 against the page behind it.
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the site's name
    ring, background = page.evaluate(
        """() => [getComputedStyle(document.activeElement).outlineColor,
                  getComputedStyle(document.querySelector('.site-header')).backgroundColor]"""
    )
    assert _contrast(ring, background) >= 3, (ring, background)
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"


def _contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.browser
def test_no_text_is_smaller_than_14px(page: Page, browser_site: str, demo_site: dict[str, str]):
    small: dict[str, list[str]] = {}
    for name, path in demo_site.items():
        if name == "editor":
            _log_in(page, browser_site, "alice")
        page.goto(f"{browser_site}{path}")
        found = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                 .filter(el => [...el.childNodes].some(
                     n => n.nodeType === 3 && n.textContent.trim()))
                 .filter(el => el.getClientRects().length && !el.closest('.visually-hidden'))
                 .filter(el => parseFloat(getComputedStyle(el).fontSize) < 14)
                 .map(el => `${el.tagName.toLowerCase()}.${el.className}: `
                            + getComputedStyle(el).fontSize)"""
        )
        if found:
            small[name] = found[:5]
    assert not small, small


@pytest.mark.browser
def test_the_avatar_control_previews_a_chosen_picture_and_unticks_remove(
    page: Page, browser_site: str, make_user: Any, make_image: Any, cover_path: Path
) -> None:
    """The image control's script: "Change" opens the picker, the chosen file shows at once
    (a blob: URL, allowed by the policy), and choosing a file unticks "Remove"."""
    from cblog.users import services

    user = make_user(username="painter")
    services.profile_update(
        user=user,
        first_name="",
        last_name="",
        email=user.email,
        bio="",
        avatar=make_image(),
        clear_avatar=False,
    )
    page.goto(f"{browser_site}/accounts/login/")
    page.get_by_label("Username").fill("painter")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{browser_site}{reverse('users:profile')}")
    preview = page.locator(".image-picker-preview")
    expect(preview).to_have_attribute("src", re.compile(r"^/media/avatars/"))
    expect(page.get_by_text("Change", exact=True)).to_be_visible()
    page.get_by_label("Remove").check()
    expect(page.locator(".image-picker")).to_have_class(re.compile("is-removed"))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.get_by_label("Avatar").set_input_files(cover_path)
    expect(preview).to_have_attribute("src", re.compile(r"^blob:"))
    expect(page.get_by_text("Chosen: harbour-at-dawn.jpg")).to_be_visible()
    expect(page.get_by_label("Remove")).not_to_be_checked()
    assert preview.evaluate("img => img.complete && img.naturalWidth") == 1200
    assert not errors, errors  # a blob: image the policy refused would be reported here
    _shot(page, "11-profile-avatar-chosen")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile has been updated.")
    user.refresh_from_db()
    assert user.avatar


@pytest.mark.browser
def test_the_publish_button_reads_schedule_for_a_future_date_and_the_cover_previews(
    page: Page, browser_site: str, make_user: Any, cover_path: Path
) -> None:
    make_user(username="planner")
    page.goto(f"{browser_site}/accounts/login/")
    page.get_by_label("Username").fill("planner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{browser_site}{reverse('posts:create')}")
    publish = page.locator("[data-publish-button]")
    expect(publish).to_have_text("Publish")
    page.get_by_label("Publish at").fill("2099-05-04T09:30")
    expect(publish).to_have_text("Schedule")
    expect(page.get_by_role("status")).to_have_text(
        "“Schedule” publishes it on May 4, 2099, 09:30 UTC."
    )
    _shot(page, "12-editor-scheduling")
    page.get_by_label("Publish at").fill("")
    expect(publish).to_have_text("Publish")
    page.get_by_label("Publish at").fill("2099-05-04T09:30")
    page.get_by_label("Title").fill("Later")
    page.get_by_label("Body").fill("Not **yet**.\n\n<script>document.title = 'owned'</script>")
    # The preview tab: rendered by the server's sanitiser, no script runs.
    page.get_by_role("tab", name="Preview").click()
    rendered = page.get_by_role("tabpanel")
    expect(rendered.locator("strong")).to_have_text("yet")
    expect(page.get_by_role("tab", name="Preview")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Body")).to_be_hidden()
    assert page.title() != "owned"
    assert rendered.locator("script").count() == 0
    _shot(page, "13-editor-preview")
    page.get_by_role("tab", name="Preview").press("ArrowLeft")
    expect(page.get_by_role("tab", name="Write")).to_be_focused()
    expect(page.get_by_label("Body")).to_be_visible()
    page.get_by_label("Body").fill("Not yet.")
    preview = page.locator(".image-picker-preview")
    expect(preview).to_be_hidden()
    page.get_by_label("Cover image").set_input_files(cover_path)
    expect(preview).to_have_attribute("src", re.compile(r"^blob:"))
    assert preview.evaluate("img => img.complete && img.naturalWidth") == 1200
    page.get_by_label("Cover description").fill("A gradient from black to white")
    publish.click()
    expect(page.get_by_role("status")).to_contain_text("scheduled for 2099-05-04 09:30 UTC")
    post = Post.objects.get(title="Later")
    assert post.is_scheduled
    assert post.cover_alt == "A gradient from black to white"
