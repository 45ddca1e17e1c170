from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cblog.core import pagecache

FOOTER_CATEGORIES_SECONDS = 300


def _footer_categories() -> list[tuple[str, str]]:
    """(name, url) of every category, for the footer: cached until the next write, so most
    pages pay no query."""
    from cblog.posts.models import Category

    def load() -> list[tuple[str, str]]:
        return [(c.name, c.get_absolute_url()) for c in Category.objects.only("name", "slug")]

    return pagecache.remember("footer-categories", load, FOOTER_CATEGORIES_SECONDS)


def site(request: HttpRequest) -> dict[str, Any]:
    """The site's name and tagline, the current URL name and the footer's sections.

    Named ``site_title``: Django's auth views set ``site_name`` to the request's host.
    ``footer_categories`` is lazy: a page that is not rendered (a page-cache hit) costs nothing.
    """
    match = getattr(request, "resolver_match", None)
    return {
        "site_title": settings.SITE_NAME,
        "site_tagline": settings.SITE_TAGLINE,
        "current_url_name": match.view_name if match else "",
        "footer_categories": SimpleLazyObject(_footer_categories),
    }
