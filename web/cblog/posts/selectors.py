"""Reads. Every post lookup is scoped to what the viewer may see or change."""

from __future__ import annotations

import copy
import operator
from functools import reduce
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from cblog.core import pagecache
from cblog.posts import search
from cblog.posts.models import Category, Comment, Like, Post, Tag

if TYPE_CHECKING:
    from cblog.users.models import User

# Columns a card never shows: loading them for a list page only costs time.
_CARD_DEFERRED = ("body", "body_html", "video", "cover", "captions", "captions_language")
_AUTHOR_NAME = ("author__username", "author__first_name", "author__last_name")


def post_list(
    *,
    viewer: User | object | None = None,
    author: User | None = None,
    category: Category | None = None,
    tag: Tag | None = None,
) -> QuerySet[Post]:
    """Published posts, newest first, ready for cards (author and category joined).

    Drafts and scheduled posts never appear in lists, not even the viewer's own: those live on
    "My posts" (see ``post_list_for_author``). ``viewer`` is accepted for symmetry with the
    detail selectors.
    """
    posts = Post.objects.published().select_related("author", "category").defer(*_CARD_DEFERRED)
    if author is not None:
        posts = posts.filter(author=author)
    if category is not None:
        posts = posts.filter(category=category)
    if tag is not None:
        posts = posts.filter(tags=tag)
    return posts.order_by("-published_at", "-id")


def post_search(*, query: str) -> search.Results:
    """Ids of the published posts matching ``query``, most relevant first (see ``search``)."""
    return search.search(query)


def post_list_for_author(*, author: User) -> QuerySet[Post]:
    """All of an author's posts, drafts and scheduled ones first, then by date."""
    return (
        Post.objects.filter(author=author)
        .select_related("category")
        .defer(*_CARD_DEFERRED)
        .order_by("-created_at", "-id")
    )


def post_get_visible(*, slug: str, viewer: User | object) -> Post:
    """The post if ``viewer`` may read it (public, or their own), else 404.

    A public post (with author, category and tags) is shared by every reader: it comes from
    the cache of this content generation when there (no query), and goes there when loaded.
    """
    post = pagecache.shared_get("post", slug)
    if post is not None:
        return post
    posts = Post.objects.visible_to(viewer).select_related("author", "category")
    post = get_object_or_404(posts.prefetch_related("tags"), slug=slug)
    if post.is_public:
        pagecache.shared_set("post", slug, _without_prefetched(post))
    return post


def _without_prefetched(post: Post) -> Post:
    """A copy of ``post`` without its prefetched tags, to cache: every page view reads the
    cached post back, and the tags' queryset pickles its whole query, which made reading it
    back take three times as long. Only the shared fragments show the tags; when one of them
    has to be rendered again, it queries them."""
    shared = copy.copy(post)  # its own __dict__ (see Model.__getstate__)
    shared.__dict__.pop("_prefetched_objects_cache", None)
    return shared


def post_get_owned(*, slug: str, owner: User) -> Post:
    """The post if ``owner`` wrote it, else 404: strangers cannot tell it exists."""
    return get_object_or_404(Post.objects.filter(author=owner), slug=slug)


def post_comments(*, post: Post) -> QuerySet[Comment]:
    return post.comments.select_related("author")


def post_commented_by(*, post: Post, user: User) -> bool:
    """Whether ``user`` has commented on ``post`` (cached with the content generation)."""
    return pagecache.remember(
        f"commented:{post.pk}:{user.pk}",
        lambda: post.comments.filter(author=user).exists(),
        settings.FRAGMENT_CACHE_SECONDS,
    )


def post_neighbours(*, post: Post) -> tuple[Post | None, Post | None]:
    """The published posts just before and just after ``post`` (by date): two small queries.

    Only for a public post; a draft or a scheduled post has no place in the sequence yet.
    """
    if not post.is_public:
        return None, None
    posts = Post.objects.published().only("title", "slug", "published_at")
    same_date_earlier = Q(published_at=post.published_at, id__lt=post.pk)
    same_date_later = Q(published_at=post.published_at, id__gt=post.pk)
    previous = (
        posts.filter(Q(published_at__lt=post.published_at) | same_date_earlier)
        .order_by("-published_at", "-id")
        .first()
    )
    following = (
        posts.filter(Q(published_at__gt=post.published_at) | same_date_later)
        .order_by("published_at", "id")
        .first()
    )
    return previous, following


def post_related(*, post: Post, limit: int = 3) -> list[Post]:
    """Up to ``limit`` other published posts sharing a tag or the category, newest first.

    One query: the tag ids come from the post's prefetched tags, and the posts are read with
    their author for the small cards.
    """
    tag_ids = [tag.pk for tag in post.tags.all()]
    if not tag_ids and post.category_id is None:
        return []
    conditions = [Q(tags__in=tag_ids)] if tag_ids else []
    if post.category_id is not None:
        conditions.append(Q(category_id=post.category_id))
    match = reduce(operator.or_, conditions)
    candidates = (
        Post.objects.published()
        .filter(match)
        .exclude(pk=post.pk)
        .select_related("author")
        .only("title", "slug", "published_at", *_AUTHOR_NAME)
        .order_by("-published_at", "-id")
        .distinct()
    )
    return list(candidates[:limit])


def comment_get_deletable(*, pk: int, user: User) -> Comment:
    """A comment ``user`` may delete: their own, or any on their post; else 404."""
    comments = Comment.objects.filter(Q(author=user) | Q(post__author=user))
    return get_object_or_404(comments.select_related("post"), pk=pk)


def post_is_liked(*, post: Post, user: User | object) -> bool:
    """Whether ``user`` likes ``post`` (cached with the content generation: a like is a write,
    so it starts a new one)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return pagecache.remember(
        f"liked:{post.pk}:{user.pk}",  # type: ignore[attr-defined]
        lambda: Like.objects.filter(post=post, user=user).exists(),
        settings.FRAGMENT_CACHE_SECONDS,
    )


def category_get(*, slug: str) -> Category:
    """The category with ``slug``, else 404; shared by every reader (see ``post_get_visible``)."""
    return _shared_by_slug(Category, slug)


def tag_get(*, slug: str) -> Tag:
    """The tag with ``slug``, else 404; shared by every reader (see ``post_get_visible``)."""
    return _shared_by_slug(Tag, slug)


def _shared_by_slug[M: (Category, Tag)](model: type[M], slug: str) -> M:
    name = model._meta.model_name
    found = pagecache.shared_get(name, slug)
    if found is None:
        found = get_object_or_404(model, slug=slug)
        pagecache.shared_set(name, slug, found)
    return found


def category_list() -> QuerySet[Category]:
    return Category.objects.all()
