"""The signed-in user of a request, from the shared cache when there is one.

Django's ``AuthenticationMiddleware`` reads the user's row on every signed-in request: with
the session in the shared cache, that query was the last one of a signed-in page served from
fragments. With a shared cache (``CACHE_URL``) the user is kept there, next to a per-user
*version*; any save or delete of the user (a password change, a deactivation, a profile edit,
a login) bumps the version once its transaction commits, so every instance stops using the old
copy at once. An entry is used only while its version is current, and a request that loads the
row reads the version *before* the row, so a write racing it leaves an entry nobody will use.

What the cache holds is only a shortcut: the session must still carry the hash of the current
password (``HASH_SESSION_KEY``); anything else (no hash, a hash from a rotated secret key, a
user no longer found or inactive) goes through Django's own ``get_user`` and the database,
which flushes or rotates the session as usual. Writes that send no signal
(``QuerySet.update``, raw SQL) are seen within ``ENTRY_SECONDS``. With the per-process cache
nothing is cached: a write through one worker could not reach the others' copies.
"""

from __future__ import annotations

import logging
import time
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from cblog.core import pagecache
from cblog.core.pagecache import CACHE_ERRORS
from cblog.users.models import User

ENTRY_SECONDS = 300
logger = logging.getLogger(__name__)


def shared_cache() -> bool:
    return not isinstance(caches["default"], LocMemCache)


def _keys(user_id: Any) -> tuple[str, str]:
    return f"authuser:version:{user_id}", f"authuser:{user_id}"


def cached_get_user(backend: ModelBackend, user_id: Any) -> User | None:
    """``backend.get_user(user_id)`` (an active user or ``None``), through the shared cache.

    One round trip on a hit; a cache that fails is skipped (the database answers), and not
    asked again for a while (``pagecache.CACHE_RETRY_SECONDS``)."""
    if pagecache.cache_failed_recently():
        return backend.get_user(user_id)
    version_key, entry_key = _keys(user_id)
    try:
        found = cache.get_many([version_key, entry_key])
        version, entry = found.get(version_key), found.get(entry_key)
        if version is not None and entry is not None and entry[0] == version:
            return entry[1]
        if version is None:  # never bumped, or evicted: a value never used before
            fresh = time.time_ns()
            version = fresh if cache.add(version_key, fresh, timeout=None) else None
    except CACHE_ERRORS:
        pagecache.note_cache_failure()
        logger.warning("cache unavailable: reading the user from the database", exc_info=True)
        return backend.get_user(user_id)
    user = backend.get_user(user_id)
    if user is not None and version is not None:
        try:
            cache.set(entry_key, (version, user), ENTRY_SECONDS)
        except CACHE_ERRORS:
            pagecache.note_cache_failure()
            logger.warning("cache unavailable: user not stored", exc_info=True)
    return user


def get_user(request: HttpRequest) -> Any:
    """What ``django.contrib.auth.get_user`` returns, from the shared cache when it can."""
    if not shared_cache():
        return auth.get_user(request)
    try:
        user_id = User._meta.pk.to_python(request.session[SESSION_KEY])
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    backend = auth.load_backend(backend_path)
    if isinstance(backend, ModelBackend):
        user = cached_get_user(backend, user_id)
        session_hash = request.session.get(HASH_SESSION_KEY)
        if (
            user is not None
            and session_hash
            and constant_time_compare(session_hash, user.get_session_auth_hash())
        ):
            return user
    # Any other case: Django decides from the database (and flushes or rotates the session).
    return auth.get_user(request)


class CachedAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's ``AuthenticationMiddleware``, with ``request.user`` from ``get_user``."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)

        def load() -> Any:
            if not hasattr(request, "_cached_user"):
                request._cached_user = get_user(request)  # type: ignore[attr-defined]
            return request._cached_user  # type: ignore[attr-defined]

        request.user = SimpleLazyObject(load)


def _bump(user_id: Any) -> None:
    version_key = _keys(user_id)[0]
    try:
        try:
            cache.incr(version_key)
        except ValueError:  # never set, or evicted: nothing cached under it is used anyway
            cache.set(version_key, time.time_ns(), timeout=None)
    except CACHE_ERRORS:
        logger.error("cache unavailable: cached user %s kept until it expires", user_id)


def _user_changed(sender: type, instance: User, **kwargs: Any) -> None:
    if shared_cache():
        transaction.on_commit(partial(_bump, instance.pk))


def connect() -> None:
    post_save.connect(_user_changed, sender=User, dispatch_uid="authcache-save")
    post_delete.connect(_user_changed, sender=User, dispatch_uid="authcache-delete")
