"""Demo content: three authors, four sections and illustrated posts, plus bulk posts on request.

The words live in ``demo_posts``, the pictures are drawn by ``demo_art``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from cblog.core import pagecache
from cblog.core.uploads import random_name
from cblog.posts import demo_art, demo_posts, services
from cblog.posts.markdown import plain_excerpt, render_markdown
from cblog.posts.models import Category, Comment, Like, Post, Tag
from cblog.users.models import User

READERS = [f"reader{n}" for n in range(1, 6)]
AUTHORS = list(demo_posts.AUTHORS)
CATEGORIES = list(demo_posts.CATEGORIES)
SHOWCASE = demo_posts.SHOWCASE
BODY = demo_posts.BULK_BODY
LIKES = 3  # readers who like each showcase post, rotating
BULK_TAGS = ["notes", "ideas", "links", "photos"]  # one per bulk post, in turn


def picture(scene: str, seed: int) -> ContentFile:
    """A 1200 x 675 JPEG cover of ``scene`` (see demo_art), different for each seed."""
    return ContentFile(demo_art.jpeg(scene, seed), name=random_name("jpg"))


def ensure_users(password: str) -> tuple[list[User], list[User]]:
    def user(username: str, first: str = "", last: str = "", bio: str = "") -> User:
        found, created = User.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.com", "first_name": first, "last_name": last},
        )
        if created:
            found.set_password(password)
            found.bio = bio
            found.save()
        return found

    authors = [user(name, *details) for name, details in demo_posts.AUTHORS.items()]
    return authors, [user(name) for name in READERS]


def ensure_categories() -> list[Category]:
    return [
        Category.objects.get_or_create(
            slug=name.lower(), defaults={"name": name, "description": description}
        )[0]
        for name, description in demo_posts.CATEGORIES.items()
    ]


def ensure_showcase(authors: list[User], readers: list[User]) -> int:
    """The illustrated posts; returns how many were created (0 when they exist)."""
    created = 0
    categories = {c.name: c for c in ensure_categories()}
    people = {u.username: u for u in [*authors, *readers]}
    for index, demo in enumerate(SHOWCASE):
        author = people[demo.author]
        existing = Post.objects.filter(author=author, title=demo.title).first()
        if existing is not None:
            _repair_cover(existing, demo.scene, index)
            continue
        post = services.post_create(
            author=author,
            title=demo.title,
            body=demo.body,
            category=categories[demo.category],
            tags=services.tags_from_text(", ".join(demo.tags)),
            status=Post.Status.PUBLISHED,
            published_at=timezone.now() - timedelta(days=demo.days_ago, hours=index),
            cover=picture(demo.scene, index),
        )
        for reader, text in demo.comments:
            services.comment_create(post=post, author=people[reader], body=text)
        for n in range(LIKES):
            services.like_toggle(post=post, user=readers[(index + n) % len(readers)])
        created += 1
    return created


def _repair_cover(post: Post, scene: str, seed: int) -> None:
    """Draw a demo picture again when its file is gone (e.g. a fresh local AWS endpoint)."""
    if post.cover and default_storage.exists(post.cover.name):
        return
    services.post_update(
        post=post,
        title=post.title,
        body=post.body,
        category=post.category,
        tags=list(post.tags.all()),
        status=post.status,
        published_at=post.published_at,
        cover=picture(scene, seed),
    )


def bulk_posts(
    total: int, authors: list[User], readers: list[User], *, comments: int = 5, likes: int = 3
) -> Iterator[int]:
    """Create bulk posts until ``total`` exist; yields how many each batch created."""
    existing = Post.objects.filter(slug__startswith="bulk-post-").count()
    categories = ensure_categories()
    tags = [Tag.objects.get_or_create(slug=name, defaults={"name": name})[0] for name in BULK_TAGS]
    body_html = render_markdown(BODY)
    excerpt = plain_excerpt(body_html)
    start = timezone.now() - timedelta(days=365)
    for batch_start in range(existing, total, 500):
        numbers = range(batch_start, min(total, batch_start + 500))
        with transaction.atomic():
            posts = Post.objects.bulk_create(
                Post(
                    title=f"Bulk post number {n}",
                    slug=f"bulk-post-{n}",
                    author=authors[n % len(authors)],
                    category=categories[n % len(categories)],
                    body=BODY,
                    body_html=body_html,
                    excerpt=excerpt,
                    status=Post.Status.PUBLISHED,
                    published_at=start + timedelta(minutes=n),
                    comment_count=comments,
                    like_count=min(likes, len(readers)),
                )
                for n in numbers
            )
            Comment.objects.bulk_create(
                Comment(post=p, author=readers[i % len(readers)], body=f"Comment {i} on {p.title}.")
                for p in posts
                for i in range(comments)
            )
            Like.objects.bulk_create(Like(post=p, user=u) for p in posts for u in readers[:likes])
            Post.tags.through.objects.bulk_create(
                Post.tags.through(post=p, tag=tags[n % len(tags)])
                for n, p in zip(numbers, posts, strict=True)
            )
            pagecache.invalidate()  # bulk_create sends no signal (see cblog.posts.signals)
        yield len(posts)
