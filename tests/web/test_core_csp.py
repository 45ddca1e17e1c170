"""Content-Security-Policy on every page type, and no inline code a policy would have to allow.

Every named route (GET and POST, anonymous and signed in), the admin's pages, the error and
throttling pages: each answer carries the policy, and its HTML has no inline <script>, no
<style> block, no style="" attribute and no on*="" handler.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from tests.web.test_core_cachecontrol import VISITORS, _named_routes, _route_kwargs

# The same site (a post, category, tag and comment) as the Cache-Control walk; a fixture.
from tests.web.test_core_cachecontrol import site as site

pytestmark = pytest.mark.django_db


class InlineCodeFinder(HTMLParser):
    """Collects every piece of inline script or style in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> block")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action") and (value or "").lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:...>")


def _policy(response: HttpResponse) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_protected(response: HttpResponse, where: str) -> None:
    policy = _policy(response)
    assert policy.get("script-src") == ["'self'"], f"{where}: {policy}"
    assert policy.get("style-src") == ["'self'"], f"{where}: {policy}"
    assert policy.get("object-src") == ["'none'"], f"{where}: {policy}"
    assert policy.get("frame-ancestors") == ["'none'"], f"{where}: {policy}"
    if response.get("Content-Type", "").startswith("text/html"):
        finder = InlineCodeFinder()
        finder.feed(response.content.decode())
        assert not finder.found, f"{where}: {finder.found}"


def test_the_checker_finds_inline_code():
    finder = InlineCodeFinder()
    finder.feed(
        '<script>alert(1)</script><style>p{}</style><p style="x" onclick="y">'
        '<a href="javascript:z">'
    )
    assert len(finder.found) == 5


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_page_carries_the_policy_and_no_inline_code(site, visitor):
    kwargs = _route_kwargs(site)
    client = VISITORS[visitor](site)
    destructive = {"posts:delete", "users:logout"}
    html_pages = 0
    for name in sorted(_named_routes(), key=lambda n: n in destructive):
        url = reverse(name, kwargs=kwargs.get(name))
        for method in (client.get, client.post):
            response = method(url)
            assert_protected(response, f"{method.__name__.upper()} {url}")
            html_pages += response.get("Content-Type", "").startswith("text/html")
    assert html_pages > 20


def test_the_admin_pages_carry_the_policy_and_no_inline_code(site, make_user):
    client = Client()
    assert_protected(client.get("/admin/login/"), "admin login")
    client.force_login(make_user(username="root", is_staff=True, is_superuser=True))
    post = site["post"]
    for url in (
        "/admin/",
        "/admin/posts/post/",
        "/admin/posts/post/add/",
        f"/admin/posts/post/{post.pk}/change/",
        f"/admin/users/user/{site['user'].pk}/change/",
        "/admin/axes/accessattempt/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_protected(response, url)


def test_error_and_throttle_pages_carry_the_policy(site, user):
    client = Client()
    assert_protected(client.get("/no/such/page/"), "404")
    csrf = Client(enforce_csrf_checks=True).post(reverse("users:login"), {})
    assert csrf.status_code == 403
    assert_protected(csrf, "403 CSRF")
    for _ in range(4):
        response = client.post(reverse("users:login"), {"username": user.username, "password": "x"})
    assert response.status_code == 429
    assert_protected(response, "login slowed")


def test_media_may_come_from_the_bucket_and_uploads_go_only_there(settings: Any):
    from csp.constants import SELF

    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["connect-src"] == [SELF, *settings.MEDIA_BUCKET_ORIGINS]
    assert set(settings.MEDIA_BUCKET_ORIGINS) <= set(directives["img-src"])
    assert "'unsafe-inline'" not in str(directives)


def test_blob_urls_are_allowed_for_image_previews_only(client_logged_in):
    """The image control previews a chosen file as a blob: URL; no other directive takes blob:."""
    policy = _policy(client_logged_in.get(reverse("users:profile")))
    assert "blob:" in policy["img-src"]
    assert [name for name, sources in policy.items() if "blob:" in sources] == ["img-src"]
