"""Health probes answered before host validation, HTTPS redirects and sessions; the cap on
request bodies."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
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


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body exceeds ``REQUEST_BODY_MAX_BYTES`` with 413,
    before anything reads it.

    Large media go straight to S3 (presigned POST); forms carry at most one image within
    ``IMAGE_MAX_BYTES``. Django's own DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out of its count,
    so without this a multipart body of any size would be read and spooled to disk. A body
    without Content-Length (chunked) is never read by Django. gunicorn then drains at most
    64 KiB of what is left and closes the connection.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _plain("Bad Content-Length.", status=400)
        limit = settings.REQUEST_BODY_MAX_BYTES
        if length > limit:
            return _plain(
                f"Request too large: at most {limit // (1024 * 1024)} MB can be sent here. "
                "Large files are uploaded from the page straight to storage.",
                status=413,
            )
        return self.get_response(request)
