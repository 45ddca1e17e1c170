from __future__ import annotations

from django.apps import AppConfig


class PostsConfig(AppConfig):
    """The blog itself: posts, categories, tags, comments, likes, views, feeds and search."""

    name = "cblog.posts"
    label = "posts"

    def ready(self) -> None:
        from cblog.posts import signals

        signals.connect()
