"""A short-lived page cache for anonymous readers.

Most traffic is anonymous and reads the same pages. Those responses are cached whole for
``PAGE_CACHE_SECONDS`` under a key that includes a content *generation*; every write that
changes what pages show (a post, a comment, a like, a profile) bumps the generation after its
transaction commits, so the next read renders afresh. Requests that carry a live session or a
messages cookie are never served from, nor stored in, the cache: personal pages stay personal.
A session cookie the database does not know (expired, or junk) counts as anonymous, and
tracking parameters (``utm_*``, ``fbclid``, ...) are left out of the key: neither can make a
reader miss the cache.

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
from urllib.parse import urlencode

import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

GENERATION_KEY = "pagecache:generation"
View = Callable[..., HttpResponse]
CACHE_ERRORS = (redis.RedisError, OSError)
logger = logging.getLogger(__name__)
# Query parameters that only tell analytics where a reader came from: no page depends on them.
TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "twclid"}
    | {"mc_cid", "mc_eid", "_ga", "_gl", "ref_src"}
)


# The generation as this process last read it: (value, monotonic time). A page asks for it
# several times (the page, each fragment); one cache read per GENERATION_MEMO_SECONDS does.
# A write in this process updates it at once; another process's write (through a shared
# cache) is seen within GENERATION_MEMO_SECONDS.
GENERATION_MEMO_SECONDS = 0.1
_memo: tuple[int, float] = (0, 0.0)


# After the cache fails, it is not asked again for CACHE_RETRY_SECONDS: a node that stops
# answering costs one timeout, not one per page and fragment.
CACHE_RETRY_SECONDS = 5.0
_unavailable_until = 0.0


class CacheUnavailable(OSError):
    """The cache failed a moment ago; not asked again yet."""


def cache_failed_recently() -> bool:
    """Whether the cache failed less than ``CACHE_RETRY_SECONDS`` ago (then skip it)."""
    return time.monotonic() < _unavailable_until


def note_cache_failure() -> None:
    """The cache just failed: nobody in this process asks it for ``CACHE_RETRY_SECONDS``."""
    global _unavailable_until
    _unavailable_until = time.monotonic() + CACHE_RETRY_SECONDS


def generation() -> int:
    """The current content generation (a new one after every committed write).

    Raises one of ``CACHE_ERRORS`` when the cache fails or failed in the last
    ``CACHE_RETRY_SECONDS``.
    """
    global _memo
    value, read_at = _memo
    now = time.monotonic()
    if now - read_at < GENERATION_MEMO_SECONDS:
        return value
    if cache_failed_recently():
        raise CacheUnavailable("the cache failed less than CACHE_RETRY_SECONDS ago")
    try:
        current = cache.get_or_set(GENERATION_KEY, time.time_ns, timeout=None)
    except CACHE_ERRORS:
        note_cache_failure()
        raise
    # Generations only grow (a fresh one is the clock in ns): a read that raced this
    # process's own bump returns an older one, which must not win.
    _memo = (max(current, value), now)
    return _memo[0]


def page_path(request: HttpRequest) -> str:
    """The request's path and query string without tracking parameters (in their order)."""
    if not request.GET:
        return request.path
    kept = [
        (name, value)
        for name, values in request.GET.lists()
        if not (name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES))
        for value in values
    ]
    return f"{request.path}?{urlencode(kept)}" if kept else request.path


# Entries keyed by a generation never change (a write starts a new generation), so when the
# cache is shared (CACHE_URL), a copy kept in this process is as good as the shared one and
# saves a round trip per page and fragment. Only the generation itself is read from the
# shared cache (see ``generation``).
_local = LocMemCache("cblog-pagecache", {"OPTIONS": {"MAX_ENTRIES": 5000}})


def _shared_cache() -> bool:
    return not isinstance(caches["default"], LocMemCache)


def read(key: str) -> Any:
    """A generation-keyed entry: from this process's copy, else the cache (and copied).
    A cache that fails reads as a miss."""
    shared = _shared_cache()
    if shared and (value := _local.get(key)) is not None:
        return value
    try:
        value = cache.get(key)
    except CACHE_ERRORS:
        logger.warning("cache unavailable: rendering", exc_info=True)
        return None
    if value is not None and shared:
        _local.set(key, value, settings.PAGE_CACHE_SECONDS or settings.FRAGMENT_CACHE_SECONDS)
    return value


def write(key: str, value: Any, timeout: int) -> None:
    """Keep a generation-keyed entry (a cache that fails keeps nothing: the next read renders)."""
    try:
        cache.set(key, value, timeout)
    except CACHE_ERRORS:
        logger.warning("cache unavailable: not stored", exc_info=True)
        return
    if _shared_cache():
        _local.set(key, value, timeout)


def cache_key(request: HttpRequest, namespace: str, *, shared: bool = False) -> str | None:
    """The cache key for ``request``, or ``None`` when it must not use the cache.

    ``shared``: the view answers every reader alike (a feed), signed in or not.
    """
    if not settings.PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
        return None
    if not shared and personal(request):
        return None
    try:
        current = generation()
    except CACHE_ERRORS:
        logger.warning("page cache unavailable: rendering", exc_info=True)
        return None
    path = hashlib.sha256(page_path(request).encode()).hexdigest()[:32]
    return f"pagecache:{namespace}:{current}:{path}"


def personal(request: HttpRequest) -> bool:
    """Whether the request carries messages or a live session: what it gets is that reader's.

    A session cookie is checked against the session store (what authentication would do
    anyway): an unknown or expired one is anonymous, and SessionMiddleware deletes it.
    """
    if "messages" in request.COOKIES:
        return True
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    session = getattr(request, "session", None)
    return session is None or bool(session.keys())


def cached(namespace: str, *, shared: bool = False) -> Callable[[View], View]:
    """Decorator: serve the view from the page cache for anonymous readers (for everyone
    with ``shared``: a view whose answer never depends on the reader)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            key = cache_key(request, namespace, shared=shared)
            hit = get(key)
            if hit is not None:
                return respond(hit[0], hit[2])
            response = view(request, *args, **kwargs)
            store(key, response)
            return vary(response) if key else response

        return wrapper

    return decorator


def get(key: str | None) -> Any:
    return read(key) if key else None


def store(key: str | None, response: HttpResponse, extra: Any = None) -> None:
    """Keep a successful, cookie-free response's body and content type (with ``extra`` data)
    for later hits."""
    if key and response.status_code == 200 and not response.cookies:
        entry = (response.content, extra, response["Content-Type"])
        write(key, entry, settings.PAGE_CACHE_SECONDS)


def respond(content: bytes, content_type: str | None = None) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
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


def forget() -> None:
    """Forget what this process keeps of the cache (after the cache was cleared)."""
    global _memo, _unavailable_until
    _memo = (0, 0.0)
    _unavailable_until = 0.0
    _local.clear()


def _bump() -> None:
    global _memo
    try:
        try:
            value = cache.incr(GENERATION_KEY)
        except ValueError:  # evicted: a value never used before starts afresh
            value = time.time_ns()
            cache.set(GENERATION_KEY, value, timeout=None)
    except CACHE_ERRORS:  # pages expire by themselves within PAGE_CACHE_SECONDS
        logger.error("page cache unavailable: could not invalidate", exc_info=True)
        return
    _memo = (value, time.monotonic())


def shared_get(name: str, key: str) -> Any:
    """A value every reader shares (e.g. a public post), cached in this generation, or None."""
    if not settings.FRAGMENT_CACHE_SECONDS:
        return None
    try:
        return read(f"shared:{name}:{generation()}:{key}")
    except CACHE_ERRORS:
        logger.warning("cache unavailable: rendering", exc_info=True)
        return None


def shared_set(name: str, key: str, value: Any) -> None:
    if not settings.FRAGMENT_CACHE_SECONDS:
        return
    try:
        write(f"shared:{name}:{generation()}:{key}", value, settings.FRAGMENT_CACHE_SECONDS)
    except CACHE_ERRORS:
        logger.warning("cache unavailable: not stored", exc_info=True)


def remember(name: str, compute: Callable[[], Any], seconds: int) -> Any:
    """``compute()``'s value, kept for ``seconds`` within the current content generation (so a
    write shows at once); computed afresh when ``seconds`` is 0 or the cache fails."""
    if not seconds:
        return compute()
    try:
        key = f"remember:{name}:{generation()}"
    except CACHE_ERRORS:
        logger.warning("cache unavailable: computing %s", name, exc_info=True)
        return compute()
    value = read(key)
    if value is None:
        value = compute()
        write(key, value, seconds)
    return value
