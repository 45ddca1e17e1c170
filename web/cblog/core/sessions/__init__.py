"""Session engines: Django's database-backed sessions, with unknown keys remembered.

``SESSION_ENGINE`` is ``cblog.core.sessions.cached_db`` when ``CACHE_URL`` names a shared cache
(every instance reads the same sessions from it, a logout or a flush is seen by all of them at
once, and the database is only read on a cache miss), else ``cblog.core.sessions.db``: the
per-process cache never holds sessions, since a logout through one worker would leave the
others serving the session from their own copies.

Both remember, in this process, session keys the store does not hold (expired, deleted or never
issued: a stale or junk ``sessionid`` cookie): such a cookie costs one database query per
``MISSING_SECONDS`` rather than one per request. That is safe in a per-process memory because a
missing key never comes back: Django never adopts a key a client sends (a new session always
gets a fresh random key, and saving one whose row is gone raises instead of inserting it), and
an expired row is never revived.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.locmem import LocMemCache

MISSING_SECONDS = 300
# Its own bounded memory: a flood of junk keys evicts only other junk keys, never pages.
_missing = LocMemCache("cblog-sessions-missing", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


class RememberMissingMixin:
    """For a ``SessionStore`` of Django's ``db`` or ``cached_db`` backend."""

    _session_key: str | None

    def load(self) -> dict[str, Any]:
        key = self._session_key
        if key and _missing.get(key):
            self._session_key = None  # what the database-backed store does on a miss
            return {}
        data: dict[str, Any] = super().load()  # type: ignore[misc]
        if key and self._session_key is None:  # the store does not hold it
            _missing.set(key, True, MISSING_SECONDS)
        return data


def forget_missing() -> None:
    """Forget the keys remembered as missing (tests)."""
    _missing.clear()
