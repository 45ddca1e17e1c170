from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """Expose the site's name to every template.

    Named ``site_title``: Django's auth views set ``site_name`` to the request's host.
    """
    return {"site_title": settings.SITE_NAME}
