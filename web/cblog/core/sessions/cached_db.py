"""``SESSION_ENGINE`` with a shared cache: sessions in the cache, backed by the database (see
the package)."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import cached_db

from cblog.core import pagecache
from cblog.core.sessions import RememberMissingMixin


class _SkipFailedCacheStore(cached_db.SessionStore):
    def load(self) -> dict[str, Any]:
        """Django's, except that a cache that failed a moment ago is not asked (each request
        would wait for its timeout): the database answers until it is asked again."""
        if not pagecache.cache_failed_recently():
            try:
                data = self._cache.get(self.cache_key)
            except pagecache.CACHE_ERRORS:
                pagecache.note_cache_failure()
            else:
                if data is not None:
                    return data
        row = self._get_session_from_db()
        if row is None:
            return {}
        data = self.decode(row.session_data)
        if not pagecache.cache_failed_recently():
            try:  # for as long as the row lives, not a fresh session age
                self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
            except pagecache.CACHE_ERRORS:
                pagecache.note_cache_failure()
        return data


class SessionStore(RememberMissingMixin, _SkipFailedCacheStore):
    pass
