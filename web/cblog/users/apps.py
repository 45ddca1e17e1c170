from __future__ import annotations

from django.apps import AppConfig


class UsersConfig(AppConfig):
    """Accounts: the custom user model, registration, profiles and author pages."""

    name = "cblog.users"
    label = "users"

    def ready(self) -> None:
        from cblog.users import authcache

        authcache.connect()
