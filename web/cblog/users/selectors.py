"""Reads for accounts: who exists, who is public, which addresses are taken."""

from __future__ import annotations

from django.db.models import QuerySet

from cblog.posts.models import Post
from cblog.posts.selectors import post_list
from cblog.users.models import User


def active_users() -> QuerySet[User]:
    """Users whose public pages exist: deactivated accounts disappear from the site."""
    return User.objects.filter(is_active=True)


def user_email_taken(*, email: str, exclude: User | None = None) -> bool:
    """Whether another account already uses ``email``, compared case-insensitively.

    The database's unique index is case-sensitive on SQLite, so this check is what keeps
    ``Ann@example.com`` and ``ann@example.com`` from becoming two accounts.
    """
    users = User.objects.filter(email__iexact=email)
    if exclude is not None and exclude.pk is not None:
        users = users.exclude(pk=exclude.pk)
    return users.exists()


def author_posts(*, author: User, viewer: object) -> QuerySet[Post]:
    """The author's public posts, newest first, as any visitor sees them (drafts never listed)."""
    return post_list(viewer=viewer, author=author)
