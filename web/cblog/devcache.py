"""`make dev`'s cache: the shared Redis cache when one answers, else the per-process one.

Development needs nothing beyond Python and make, so a missing Redis is not an error: the
blog falls back to Django's local-memory cache and says so once, on stderr.
"""

from __future__ import annotations

import sys

import redis

DEV_CACHE_URL = "redis://127.0.0.1:6379/0"
FALLBACK = "locmemcache://"


def redis_answers(url: str, *, timeout: float = 0.3) -> str | None:
    """``None`` when the Redis server at ``url`` answers PING, else why it does not."""
    try:
        client = redis.Redis.from_url(
            url.partition("?")[0],  # the query holds Django's options (key_prefix=...)
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
        )
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError) as exc:
        return str(exc) or type(exc).__name__
    return None


def choose_cache_url(url: str) -> str:
    """``url`` when it names a Redis server that answers (or no Redis at all), else the fallback."""
    if not url.startswith(("redis://", "rediss://")):
        return url
    problem = redis_answers(url)
    if problem is None:
        print(f"cache: shared Redis at {_safe(url)}", file=sys.stderr)
        return url
    print(
        f"cache: no Redis answers at {_safe(url)} ({problem}); using the per-process cache",
        file=sys.stderr,
    )
    return FALLBACK


def _safe(url: str) -> str:
    """``url`` without its password, for printing."""
    head, sep, tail = url.partition("@")
    return f"{head.split('://')[0]}://***@{tail}" if sep else url
