from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cblog.posts import services
from cblog.posts.models import Category, Post
from cblog.users.models import User


@pytest.fixture
def category(db: None) -> Category:
    return Category.objects.create(name="Travel", slug="travel")


@pytest.fixture
def make_post(make_user: Callable[..., User]) -> Callable[..., Post]:
    """Factory: a published post by a new author unless told otherwise."""

    def make(**fields: Any) -> Post:
        fields.setdefault("author", make_user())
        fields.setdefault("title", "A day by the sea")
        fields.setdefault("body", "Sun, *sand* and salt.")
        fields.setdefault("status", Post.Status.PUBLISHED)
        return services.post_create(**fields)

    return make


@pytest.fixture
def post(make_post: Callable[..., Post], user: User) -> Post:
    """A published post written by the ``user`` fixture."""
    return make_post(author=user)


@pytest.fixture
def future() -> Any:
    return timezone.now() + timedelta(days=3)
