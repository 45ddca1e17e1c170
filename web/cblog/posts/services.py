"""Writes: posts, comments, likes and views. Each keeps the post's counters exact."""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from cblog.core import pagecache
from cblog.core.uploads import make_thumbnail
from cblog.posts import viewcounts
from cblog.posts.markdown import plain_excerpt, render_markdown
from cblog.posts.models import Category, Comment, Like, Post, Tag

if TYPE_CHECKING:
    from cblog.users.models import User

logger = logging.getLogger(__name__)
_KEEP = object()  # "leave this file as it is"
RESERVED_SLUGS = frozenset({"new", "mine"})  # path segments of posts/urls.py


def unique_slug(title: str, *, model: type[Post] | type[Tag] = Post, max_length: int = 200) -> str:
    """A slug for ``title`` that no row of ``model`` uses yet: ``title``, ``title-2``, ..."""
    base = slugify(title)[:max_length].strip("-") or "post"
    taken = RESERVED_SLUGS | set(
        model.objects.filter(slug__startswith=base).values_list("slug", flat=True)  # type: ignore[attr-defined]
    )
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def delete_files_on_commit(*names: str) -> None:
    """Delete stored files once the transaction that stopped referencing them commits."""
    for name in filter(None, names):
        transaction.on_commit(lambda name=name: _delete_file(name))


def _delete_file(name: str) -> None:
    try:
        default_storage.delete(name)
    except Exception:  # a leftover file is repairable later; a failed request is not
        logger.exception("could not delete replaced media %s", name)


def tags_from_text(text: str) -> list[Tag]:
    """Tags for a comma-separated list of names, created as needed."""
    tags: dict[str, Tag] = {}
    for name in (part.strip()[:50] for part in text.split(",")):
        slug = slugify(name)[:50]
        if slug and slug not in tags:
            tags[slug], _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
    return list(tags.values())


def _apply_fields(
    post: Post,
    *,
    title: str,
    body: str,
    category: Category | None,
    status: str,
    published_at: datetime | None,
    cover_alt: str | None = None,
    cover_caption: str | None = None,
    captions_language: str | None = None,
) -> None:
    post.title = title.strip()
    if cover_alt is not None:  # None keeps the current text
        post.cover_alt = cover_alt.strip()
    if cover_caption is not None:
        post.cover_caption = cover_caption.strip()
    if captions_language is not None:
        post.captions_language = captions_language
    post.body = body
    post.body_html = render_markdown(body)
    post.excerpt = plain_excerpt(post.body_html)
    post.category = category
    post.status = status
    if published_at is not None:
        post.published_at = published_at  # a future date schedules the post
    elif status == Post.Status.PUBLISHED and (
        post.published_at is None or post.published_at > timezone.now()
    ):
        # Publishing without a date means now: on first publish, and for a scheduled post
        # whose date was cleared. A post already live keeps the date it went live.
        post.published_at = timezone.now()


def _apply_media(
    post: Post,
    *,
    cover: File | object | None,
    video: File | object | None,
    captions: File | object | None = _KEEP,
) -> None:
    """Attach new files (``None`` clears, ``_KEEP`` keeps) and drop replaced ones on commit.

    A new file is either a ``File`` to store or, from a direct upload, the name of an object
    already in the media storage (a ``str``). Captions belong to the video: removing the
    video removes them.
    """
    if cover is not _KEEP:
        delete_files_on_commit(post.cover.name, post.cover_thumbnail.name)
        post.cover = cover  # type: ignore[assignment]
        post.cover_thumbnail = _thumbnail(cover) if cover else None  # type: ignore[assignment]
    if video is not _KEEP:
        delete_files_on_commit(post.video.name)
        post.video = video  # type: ignore[assignment]
        if not video:
            captions = None
    if captions is not _KEEP:
        delete_files_on_commit(post.captions.name)
        post.captions = captions  # type: ignore[assignment]


def _thumbnail(cover: File | str) -> File | None:
    """The card thumbnail; for a direct upload (a stored name) read back from storage, and
    none if its pixels turn out not to decode (its header was checked before)."""
    if not isinstance(cover, str):
        return make_thumbnail(cover)
    try:
        with default_storage.open(cover) as stored:
            return make_thumbnail(stored)
    except (OSError, SyntaxError, Image.DecompressionBombError):
        logger.warning("no thumbnail for %s: its pixels do not decode", cover, exc_info=True)
        return None


@transaction.atomic
def post_create(
    *,
    author: User,
    title: str,
    body: str,
    category: Category | None = None,
    tags: Iterable[Tag] = (),
    status: str = Post.Status.DRAFT,
    published_at: datetime | None = None,
    cover: File | None = None,
    video: File | None = None,
    captions: File | None = None,
    cover_alt: str | None = None,
    cover_caption: str | None = None,
    captions_language: str | None = None,
) -> Post:
    post = Post(author=author, slug=unique_slug(title))
    return _save(
        post,
        tags=tags,
        cover=cover if cover else _KEEP,
        video=video if video else _KEEP,
        captions=captions if captions else _KEEP,
        title=title,
        body=body,
        category=category,
        status=status,
        published_at=published_at,
        cover_alt=cover_alt,
        cover_caption=cover_caption,
        captions_language=captions_language,
    )


@transaction.atomic
def post_update(
    *,
    post: Post,
    title: str,
    body: str,
    category: Category | None,
    tags: Iterable[Tag],
    status: str,
    published_at: datetime | None = None,
    cover: File | object | None = _KEEP,
    video: File | object | None = _KEEP,
    captions: File | object | None = _KEEP,
    cover_alt: str | None = None,
    cover_caption: str | None = None,
    captions_language: str | None = None,
) -> Post:
    """Update ``post``; the slug never changes, so links keep working.

    ``published_at=None`` keeps the date of a post that is live and publishes a scheduled
    post now (the editor's "Publish at" cleared). ``cover_alt``/``cover_caption`` ``None``
    keep the current text.
    """
    return _save(
        post,
        tags=tags,
        cover=cover,
        video=video,
        captions=captions,
        title=title,
        body=body,
        category=category,
        status=status,
        published_at=published_at,
        cover_alt=cover_alt,
        cover_caption=cover_caption,
        captions_language=captions_language,
    )


def _save(
    post: Post,
    *,
    tags: Iterable[Tag],
    cover: File | object | None,
    video: File | object | None,
    captions: File | object | None = _KEEP,
    **fields: Any,
) -> Post:
    """Apply the editor's fields and media to ``post``, save it and set its tags."""
    _apply_fields(post, **fields)
    _apply_media(post, cover=cover, video=video, captions=captions)
    post.save()
    post.tags.set(tags)
    return post


@transaction.atomic
def post_delete(*, post: Post) -> None:
    delete_files_on_commit(
        post.cover.name, post.cover_thumbnail.name, post.video.name, post.captions.name
    )
    post.delete()


@transaction.atomic
def comment_create(*, post: Post, author: User, body: str) -> Comment:
    comment = Comment.objects.create(post=post, author=author, body=body.strip())
    Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment) -> None:
    Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") - 1)
    comment.delete()


@transaction.atomic
def like_toggle(*, post: Post, user: User) -> bool:
    """Like or unlike; returns whether ``user`` now likes ``post``.

    The database's unique constraint decides races: a second concurrent like is a no-op.
    """
    deleted, _ = Like.objects.filter(post=post, user=user).delete()
    if deleted:
        Post.objects.filter(pk=post.pk).update(like_count=F("like_count") - 1)
        return False
    try:
        with transaction.atomic():
            Like.objects.create(post=post, user=user)
    except IntegrityError:
        return True
    Post.objects.filter(pk=post.pk).update(like_count=F("like_count") + 1)
    return True


def visitor_key(identity: str) -> str:
    """The stored form of a visitor identity: a hash, never the session or cookie itself."""
    return hashlib.sha256(identity.encode()).hexdigest()


VIEW_SEEN_SECONDS = 24 * 3600
_seen_here = LocMemCache("cblog-views-seen", {"OPTIONS": {"MAX_ENTRIES": 20_000}})


def forget_seen_views() -> None:
    """Forget which views this process has seen (after the cache was cleared)."""
    _seen_here.clear()


def view_record(*, post_id: int, visitor: str) -> bool:
    """Count one view per visitor, post and day; returns whether this view counts (as far as
    this process can tell: the database's unique constraint has the last word).

    With ``VIEW_FLUSH_SECONDS`` the view joins this process's buffer and is written in bulk
    off the request path (``cblog.posts.viewcounts``); with 0 it is written here. The view
    table has no foreign-key constraint: on MySQL the constraint check share-locks the post
    row, and two first views of one post would deadlock on the counter update. Any database
    error is logged and swallowed: counting must never break the page that is being read.
    """
    visitor_hash, day = visitor_key(visitor), timezone.localdate()
    # A cheap first check: a visitor this cache has seen today is not written again. The
    # database's unique constraint stays the real guard (caches are per process by default).
    # What this process has seen is remembered here too, so a reader's repeated visits cost
    # no round trip to a shared cache.
    seen = f"viewed:{post_id}:{visitor_hash}:{day.isoformat()}"
    if _seen_here.get(seen):
        return False
    try:
        first = cache.add(seen, True, timeout=VIEW_SEEN_SECONDS)
    except pagecache.CACHE_ERRORS:  # the database decides alone
        logger.warning("cache unavailable while counting a view", exc_info=True)
    else:
        _seen_here.set(seen, True, VIEW_SEEN_SECONDS)
        if not first:
            return False
    if settings.VIEW_FLUSH_SECONDS:
        viewcounts.buffer.add(post_id, visitor_hash, day)
        return True
    try:
        return viewcounts.write([(post_id, visitor_hash, day)]) == 1
    except DatabaseError:
        logger.warning("could not count a view of post %s", post_id, exc_info=True)
        _seen_here.delete(seen)
        with contextlib.suppress(*pagecache.CACHE_ERRORS):
            cache.delete(seen)  # let a later view try again
        return False
