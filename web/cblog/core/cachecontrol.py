"""One Cache-Control policy for every response Django renders: what CloudFront may keep.

- An anonymous, cookie-free GET whose answer is the same for every anonymous reader (a 200 or a
  404) is ``public, max-age=0, s-maxage=<PAGE_CACHE_SECONDS>``: browsers revalidate, the edge
  keeps it as long as the page cache does, and ``Vary: Cookie`` keeps it apart from personal
  variants in any cache that honours it.
- Everything else is ``private, no-cache`` (a view's own ``no-store`` is kept): a signed-in
  reader, a request with a session or messages cookie, a POST, a redirect, an error, and above
  all any response that sets a cookie. A page with a CSRF-protected form (login, register, the
  editor, the comment form) re-sends the CSRF cookie each time, so it is private by that rule.

The middleware sits outside sessions, CSRF, authentication and messages, so it sees every
cookie they add; it is the one place that decides, so a future view cannot leak a
``Set-Cookie`` through a shared cache. Static files (WhiteNoise) and the health probes are
answered before it and keep their own headers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from cblog.core import pagecache

SHAREABLE_STATUSES = frozenset({200, 404})
_SHARED_ONLY = ("public", "s-maxage")


class CacheControlMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if shareable(request, response):
            if not response.has_header("Cache-Control"):  # a view's own choice stands
                response["Cache-Control"] = (
                    f"public, max-age=0, s-maxage={settings.PAGE_CACHE_SECONDS}"
                )
            patch_vary_headers(response, ["Cookie"])
        else:
            make_private(response)
        return response


def sets_cookie(response: HttpResponse) -> bool:
    return bool(response.cookies) or response.has_header("Set-Cookie")


def shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether every anonymous reader would get this very response."""
    if request.method not in ("GET", "HEAD") or response.status_code not in SHAREABLE_STATUSES:
        return False
    if sets_cookie(response) or pagecache.personal(request):
        return False
    # Without a session cookie (checked above) this costs no query: the user is anonymous
    # unless some other authentication scheme says otherwise.
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def directives(value: str) -> dict[str, str | None]:
    """``"private, max-age=0"`` -> ``{"private": None, "max-age": "0"}``."""
    parsed: dict[str, str | None] = {}
    for part in value.split(","):
        name, has_value, argument = part.strip().partition("=")
        if name:
            parsed[name.lower()] = argument if has_value else None
    return parsed


def make_private(response: HttpResponse) -> None:
    """``private, no-cache`` plus whatever else the view said, minus anything shared."""
    current = directives(response.get("Cache-Control", ""))
    for name in (*_SHARED_ONLY, "private"):
        current.pop(name, None)
    if "no-store" not in current:
        current.setdefault("no-cache", None)
    rendered = [name if value is None else f"{name}={value}" for name, value in current.items()]
    response["Cache-Control"] = ", ".join(["private", *rendered])
