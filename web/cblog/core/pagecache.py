"""A short-lived page cache for anonymous readers.

Most traffic is anonymous and reads the same pages. Those responses are cached whole for
``PAGE_CACHE_SECONDS`` under a key that includes a content *generation*; every write that
changes what pages show (a post, a comment, a like, a profile) bumps the generation after its
transaction commits, so the next read renders afresh. Requests that carry a session or messages
cookie are never served from, nor stored in, the cache: personal pages stay personal.

The cache is Django's default cache: per process unless ``CACHE_URL`` names a shared one, in
which case a write invalidates the pages of every instance at once. Otherwise another process
may serve a page up to ``PAGE_CACHE_SECONDS`` old. Which writes invalidate: see
``cblog.posts.signals``. A shared cache that fails is logged and read as a miss: pages are
rendered, never an error.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

GENERATION_KEY = "pagecache:generation"
View = Callable[..., HttpResponse]
CACHE_ERRORS = (redis.RedisError, OSError)
logger = logging.getLogger(__name__)


def cache_key(request: HttpRequest, namespace: str) -> str | None:
    """The cache key for ``request``, or ``None`` when it must not use the cache."""
    if not settings.PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
        return None
    if personal(request):
        return None
    try:
        generation = cache.get_or_set(GENERATION_KEY, time.time_ns, timeout=None)
    except CACHE_ERRORS:
        logger.warning("page cache unavailable: rendering", exc_info=True)
        return None
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"pagecache:{namespace}:{generation}:{path}"


def personal(request: HttpRequest) -> bool:
    """Whether the request carries a session or messages: what it gets is that reader's alone."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES


def cached(namespace: str) -> Callable[[View], View]:
    """Decorator: serve the view from the page cache for anonymous readers."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            key = cache_key(request, namespace)
            hit = get(key)
            if hit is not None:
                return respond(hit[0])
            response = view(request, *args, **kwargs)
            store(key, response)
            return vary(response) if key else response

        return wrapper

    return decorator


def get(key: str | None) -> Any:
    try:
        return cache.get(key) if key else None
    except CACHE_ERRORS:
        logger.warning("page cache unavailable: rendering", exc_info=True)
        return None


def store(key: str | None, response: HttpResponse, extra: Any = None) -> None:
    """Keep a successful, cookie-free response's body (with ``extra`` data) for later hits."""
    if key and response.status_code == 200 and not response.cookies:
        try:
            cache.set(key, (response.content, extra), settings.PAGE_CACHE_SECONDS)
        except CACHE_ERRORS:
            logger.warning("page cache unavailable: not stored", exc_info=True)


def respond(content: bytes) -> HttpResponse:
    response = HttpResponse(content)
    vary(response)
    return response


def vary(response: HttpResponse) -> HttpResponse:
    """Shared caches must key anonymous pages on cookies too."""
    patch_vary_headers(response, ["Cookie"])
    return response


def invalidate() -> None:
    """Start a new generation once the current transaction commits (once per transaction)."""
    connection = transaction.get_connection()
    # A cascade deletes many rows in one transaction (and savepoint): one bump is enough.
    here = set(connection.savepoint_ids)
    if any(sids == here and func is _bump for sids, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # evicted: a value never used before starts afresh
            cache.set(GENERATION_KEY, time.time_ns(), timeout=None)
    except CACHE_ERRORS:  # pages expire by themselves within PAGE_CACHE_SECONDS
        logger.error("page cache unavailable: could not invalidate", exc_info=True)
