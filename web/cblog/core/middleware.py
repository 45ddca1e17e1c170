"""Health probes answered before host validation, HTTPS redirects and sessions."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)


def _plain(text: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(text, content_type="text/plain; charset=utf-8", status=status)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answer ``/healthz`` (liveness) and ``/readyz`` (database reachable) for any Host.

    Load balancers probe instances by private IP, which is never in ``ALLOWED_HOSTS``, and over
    plain HTTP, which ``SECURE_SSL_REDIRECT`` would redirect. Listed first in ``MIDDLEWARE``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            return _plain("ok")
        if request.path_info == "/readyz":
            return self._ready()
        return self.get_response(request)

    @staticmethod
    def _ready() -> HttpResponse:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:
            logger.warning("readiness check: database unavailable", exc_info=True)
            connection.close()
            return _plain("database unavailable", status=503)
        return _plain("ready")
