"""Cache-Control on every page: public for the anonymous, cookie-free reader, private otherwise.

CloudFront keeps what is public for s-maxage (= PAGE_CACHE_SECONDS), so these headers decide
what one visitor can get from another. Each page type is requested as an anonymous first
visit (no cookies), an anonymous returning visit (the visitor and CSRF cookies of earlier
visits, no session) and a signed-in visit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cblog.core.cachecontrol import CacheControlMiddleware
from cblog.posts import services
from cblog.posts.models import Category, Post, Tag
from cblog.posts.views import VISITOR_COOKIE

EDGE_SECONDS = 45  # not the default, so the header is seen to follow the setting
PUBLIC = f"public, max-age=0, s-maxage={EDGE_SECONDS}"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings: Any) -> None:
    settings.PAGE_CACHE_SECONDS = EDGE_SECONDS


@pytest.fixture
def site(user: Any) -> dict[str, Any]:
    """A published post with a category, a tag and a comment, by ``user``."""
    category = Category.objects.create(name="Travel", slug="travel")
    tag = Tag.objects.create(name="sea", slug="sea")
    post = services.post_create(
        author=user,
        title="A day by the sea",
        body="Sun and salt.",
        category=category,
        tags=[tag],
        status=Post.Status.PUBLISHED,
    )
    comment = services.comment_create(post=post, author=user, body="Lovely.")
    return {"user": user, "post": post, "category": category, "tag": tag, "comment": comment}


def _anonymous_first(site: dict[str, Any]) -> Client:
    return Client()


def _anonymous_returning(site: dict[str, Any]) -> Client:
    client = Client()
    client.get(site["post"].get_absolute_url())  # the visitor cookie
    client.get(reverse("users:login"))  # a CSRF cookie
    assert {VISITOR_COOKIE, "csrftoken"} <= set(client.cookies)
    return client


def _signed_in(site: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(site["user"])
    return client


VISITORS: dict[str, Callable[[dict[str, Any]], Client]] = {
    "anonymous-first": _anonymous_first,
    "anonymous-returning": _anonymous_returning,
    "signed-in": _signed_in,
}

PAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "home": lambda s: reverse("posts:home"),
    "post": lambda s: s["post"].get_absolute_url(),
    "category": lambda s: s["category"].get_absolute_url(),
    "tag": lambda s: s["tag"].get_absolute_url(),
    "author": lambda s: s["user"].get_absolute_url(),
    "search": lambda s: reverse("posts:search") + "?q=sea",
    "rss": lambda s: reverse("posts:feed_rss"),
    "atom": lambda s: reverse("posts:feed_atom"),
    "sitemap": lambda s: reverse("sitemap"),
    "login": lambda s: reverse("users:login"),
    "register": lambda s: reverse("users:register"),
    "editor-new": lambda s: reverse("posts:create"),
    "editor-edit": lambda s: reverse("posts:update", args=[s["post"].slug]),
    "profile": lambda s: reverse("users:profile"),
    "my-media": lambda s: reverse("media:mine"),
    "not-found": lambda s: "/posts/no-such-post/",
}

# (page, visitor) -> "public" or "private". Public: anonymous, no cookie set, the same for
# every anonymous reader. The first visit to a post sets the visitor cookie; forms set the
# CSRF cookie; pages behind sign-in redirect anonymous readers (a redirect is never shared).
_READING = ("home", "category", "tag", "author", "search", "rss", "atom", "sitemap", "not-found")
EXPECTED = {
    **{(page, "anonymous-first"): "public" for page in _READING},
    **{(page, "anonymous-returning"): "public" for page in _READING},
    ("post", "anonymous-first"): "private",
    ("post", "anonymous-returning"): "public",
}


def _policy(response: HttpResponse) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")}


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("page", PAGES)
def test_each_page_states_who_may_cache_it(site, page, visitor, not_shared_with_cookies):
    client = VISITORS[visitor](site)
    response = client.get(PAGES[page](site))
    # 503: no media index is configured here (its own tests have one; the header is the same).
    assert response.status_code in ((200, 302, 404, 503) if page == "my-media" else (200, 302, 404))
    not_shared_with_cookies(response)
    if EXPECTED.get((page, visitor), "private") == "public":
        assert response["Cache-Control"] == PUBLIC
        assert "Cookie" in response["Vary"]
        assert not response.cookies
    else:
        policy = _policy(response)
        assert "private" in policy
        assert policy & {"no-cache", "no-store"}
        assert not policy & {"public", "s-maxage"}


def test_the_first_visit_to_a_post_is_private_because_it_sets_the_visitor_cookie(site):
    response = Client().get(site["post"].get_absolute_url())
    assert VISITOR_COOKIE in response.cookies
    assert response["Cache-Control"] == "private, no-cache"


def test_a_cached_post_page_follows_the_same_policy(site):
    url = site["post"].get_absolute_url()
    Client().get(url)  # renders and fills the page cache
    first = Client().get(url)  # served from the page cache, still sets the visitor cookie
    assert VISITOR_COOKIE in first.cookies
    assert first["Cache-Control"] == "private, no-cache"
    returning = Client()
    returning.cookies[VISITOR_COOKIE] = "a" * 32
    assert returning.get(url)["Cache-Control"] == PUBLIC


def test_messages_make_the_page_private(site):
    client = Client()
    client.cookies["messages"] = "pending"
    assert "private" in _policy(client.get(reverse("posts:home")))


def test_a_post_request_is_never_shared(site):
    response = Client().post(reverse("users:login"), {"username": "x", "password": "y"})
    assert "private" in _policy(response)


def test_the_header_follows_page_cache_seconds(site, settings):
    settings.PAGE_CACHE_SECONDS = 0  # page cache off: the edge must not keep pages either
    assert Client().get(reverse("posts:home"))["Cache-Control"] == "public, max-age=0, s-maxage=0"


def test_static_files_and_health_probes_keep_their_own_headers(site, settings):
    assert Client().get("/healthz")["Cache-Control"] == "no-store"
    settings.WHITENOISE_USE_FINDERS = True  # the app folders: no collectstatic in tests
    static = Client().get("/static/css/site.css")
    assert static.status_code == 200
    assert static["Cache-Control"].startswith("max-age=")  # WhiteNoise's own
    assert "s-maxage" not in static["Cache-Control"]
    robots = Client().get("/robots.txt")  # a view's own public policy stands
    assert _policy(robots) == {"public", "max-age"}


# --- The middleware itself, with views that try to leak ----------------------------------------


def _through_middleware(view_response: HttpResponse, **request: Any) -> HttpResponse:
    http_request = RequestFactory().get("/", **request)

    def view(_request: HttpRequest) -> HttpResponse:
        return view_response

    return CacheControlMiddleware(view)(http_request)


def test_a_public_response_that_sets_a_cookie_is_made_private():
    leaky = HttpResponse("hi")
    leaky["Cache-Control"] = "public, max-age=600, s-maxage=600"
    leaky.set_cookie("tracking", "1")
    response = _through_middleware(leaky)
    assert response["Cache-Control"] == "private, max-age=600, no-cache"


def test_a_raw_set_cookie_header_is_caught_too():
    leaky = HttpResponse("hi")
    leaky["Set-Cookie"] = "tracking=1; Path=/"
    assert _through_middleware(leaky)["Cache-Control"] == "private, no-cache"


def test_a_views_no_store_is_kept_when_it_is_made_private():
    strict = HttpResponse("hi")
    strict["Cache-Control"] = "no-store"
    strict.set_cookie("tracking", "1")
    assert _through_middleware(strict)["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("status", [201, 301, 302, 400, 403, 410, 500, 503])
def test_other_statuses_are_never_shared(status):
    response = _through_middleware(HttpResponse("x", status=status))
    assert response["Cache-Control"] == "private, no-cache"


def test_the_middleware_sits_outside_everything_that_sets_cookies(settings):
    order = settings.MIDDLEWARE
    mine = order.index("cblog.core.cachecontrol.CacheControlMiddleware")
    assert order.index("whitenoise.middleware.WhiteNoiseMiddleware") < mine
    for cookie_setter in (
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "cblog.users.authcache.CachedAuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    ):
        assert mine < order.index(cookie_setter)


# --- Every URL the site has, in every state -----------------------------------------------------


def _named_routes(resolver: URLResolver | None = None, namespace: str = "") -> list[str]:
    names = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django's own admin: visited separately below
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names += _named_routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(f"{namespace}{entry.name}")
    return names


def _route_kwargs(site: dict[str, Any]) -> dict[str, dict[str, Any]]:
    user = site["user"]
    slug = {"slug": site["post"].slug}
    return {
        "posts:detail": slug,
        "posts:update": slug,
        "posts:delete": slug,
        "posts:like": slug,
        "posts:comment_create": slug,
        "posts:category": {"slug": site["category"].slug},
        "posts:tag": {"slug": site["tag"].slug},
        "posts:comment_delete": {"pk": site["comment"].pk},
        "users:author": {"username": user.username},
        # A link that is not valid: a valid one would sign the visitor in mid-walk.
        "users:confirm": {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": "x-y"},
        "users:email_confirm": {"token": "x-y"},  # not valid either: a 400 page
        "users:password_reset_confirm": {
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    }


ROUTES = sorted(_named_routes())
# Routes whose POST changes what the others show: visited last.
_DESTRUCTIVE = {"posts:delete", "users:logout"}


def test_the_walk_below_finds_the_routes_of_every_app():
    # A route added later is walked too; without sample arguments its reverse() fails below.
    assert {"posts:home", "users:login", "media:mine", "sitemap", "robots_txt"} <= set(ROUTES)


@pytest.mark.parametrize("visitor", VISITORS)
def test_no_url_is_ever_public_with_a_cookie(site, visitor, not_shared_with_cookies):
    kwargs = _route_kwargs(site)
    client = VISITORS[visitor](site)
    seen = 0
    for name in sorted(ROUTES, key=lambda n: n in _DESTRUCTIVE):
        url = reverse(name, kwargs=kwargs.get(name))
        for method in (client.get, client.post):
            response = method(url)
            not_shared_with_cookies(response)
            if "public" in _policy(response):
                assert not response.cookies
                assert "Cookie" in response["Vary"]
            seen += 1
    admin = ["/admin/", "/admin/login/", "/admin/posts/post/", "/admin/posts/post/add/"]
    for url in admin:
        not_shared_with_cookies(client.get(url))
    assert seen == 2 * len(ROUTES)
