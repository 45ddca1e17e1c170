"""Every write that changes what pages show empties the page cache when it commits.

Model signals see every save and delete, whoever makes it: the site's services, the admin's
forms, its bulk "delete selected" (``QuerySet.delete`` sends ``post_delete`` per row while a
receiver is connected) and the shell. ``QuerySet.update`` sends no signal; the admin's actions
are covered by ``PageCacheAdminMixin``, and the services' own counter updates always come with
a saved or deleted row (a view count alone may show up to ``PAGE_CACHE_SECONDS`` late).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save

from cblog.core import pagecache
from cblog.posts.models import Category, Comment, Like, Post, Tag

# Signing in and changing a password save the user, but pages never show these fields.
QUIET_USER_FIELDS = frozenset({"last_login", "password"})


def page_models() -> tuple[type, ...]:
    """The models whose rows appear on cached pages (post views only move a counter)."""
    return (Post, Category, Tag, Comment, Like, get_user_model())


def _saved(sender: type, update_fields: frozenset[str] | None = None, **kwargs: Any) -> None:
    if update_fields and update_fields <= QUIET_USER_FIELDS:
        return
    pagecache.invalidate()


def _deleted(sender: type, **kwargs: Any) -> None:
    pagecache.invalidate()


def _tags_changed(sender: type, action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        pagecache.invalidate()


def connect() -> None:
    for model in page_models():
        post_save.connect(_saved, sender=model, dispatch_uid=f"pagecache-save-{model.__name__}")
        post_delete.connect(
            _deleted, sender=model, dispatch_uid=f"pagecache-delete-{model.__name__}"
        )
    m2m_changed.connect(_tags_changed, sender=Post.tags.through, dispatch_uid="pagecache-tags")
