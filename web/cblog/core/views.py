"""Error pages, robots.txt and the favicon."""

from __future__ import annotations

import sys

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


def _render_error(template: str, status: int) -> HttpResponse:
    # Rendered without the request context: an error page must not touch the database
    # (the session and the logged-in user live there), which may be what failed.
    response = HttpResponse(loader.render_to_string(template), status=status)
    if status == 503:
        response["Retry-After"] = "30"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage is a 503 (temporary), anything else a 500."""
    _, exc, _ = sys.exc_info()
    if isinstance(exc, DatabaseError):
        return _render_error("errors/503.html", 503)
    return _render_error("errors/500.html", 500)


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest, name: str) -> HttpResponse:
    """``/favicon.ico`` and ``/apple-touch-icon.png``, which browsers ask for by these names:
    a redirect to the (hashed, long-cached) static file."""
    return HttpResponsePermanentRedirect(static(f"img/{name}"))
