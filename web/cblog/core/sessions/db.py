"""``SESSION_ENGINE`` with the per-process cache: sessions in the database (see the package)."""

from __future__ import annotations

from django.contrib.sessions.backends import db

from cblog.core.sessions import RememberMissingMixin


class SessionStore(RememberMissingMixin, db.SessionStore):
    pass
