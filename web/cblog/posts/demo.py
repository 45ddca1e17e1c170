"""Demo content: a few authors, categories and illustrated posts, plus bulk posts on request."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageOps

from cblog.core import pagecache
from cblog.core.uploads import random_name
from cblog.posts import services
from cblog.posts.markdown import plain_excerpt, render_markdown
from cblog.posts.models import Category, Comment, Like, Post
from cblog.users.models import User

AUTHORS = [("alice", "Alice", "Martin"), ("bruno", "Bruno", "Costa"), ("chen", "Chen", "Wei")]
READERS = [f"reader{n}" for n in range(1, 6)]
CATEGORIES = ["Travel", "Food", "Technology", "Photography"]
SHOWCASE = [
    ("A week on the Lycian Way", "Travel", ["hiking", "turkey"]),
    ("Sourdough without the fuss", "Food", ["baking"]),
    ("What a load balancer health check really asks", "Technology", ["aws", "django"]),
    ("Golden hour on a phone camera", "Photography", ["light", "phones"]),
    ("Night trains are back", "Travel", ["trains", "europe"]),
    ("Ten-minute miso soup", "Food", ["quick", "soup"]),
]
BODY = """Every post on this blog is written in **Markdown**.

- Lists, *emphasis* and [links](https://www.djangoproject.com/) work.
- Code blocks too:

```python
print("hello from cblog")
```

> Sign up, write your own post, add a picture and see it here.
"""
PALETTES = [
    ((29, 78, 216), (14, 165, 233)),
    ((190, 24, 93), (251, 146, 60)),
    ((21, 128, 61), (163, 230, 53)),
    ((88, 28, 135), (236, 72, 153)),
]


def picture(seed: int) -> ContentFile:
    """A generated 1200 x 675 JPEG: a gradient with a few circles, different for each seed."""
    rng = random.Random(seed)  # noqa: S311 - decoration, not security
    top, bottom = PALETTES[seed % len(PALETTES)]
    gradient = Image.linear_gradient("L").resize((1200, 675))
    image = ImageOps.colorize(gradient, black=top, white=bottom)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y, r = rng.randint(0, 1200), rng.randint(0, 675), rng.randint(40, 200)
        draw.ellipse([x - r, y - r, x + r, y + r], outline=(255, 255, 255), width=6)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return ContentFile(buffer.getvalue(), name=random_name("jpg"))


def ensure_users(password: str) -> tuple[list[User], list[User]]:
    def user(username: str, first: str = "", last: str = "") -> User:
        found, created = User.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.com", "first_name": first, "last_name": last},
        )
        if created:
            found.set_password(password)
            found.bio = (
                f"{first or username} writes for the {CATEGORIES[len(username) % 4]} section."
            )
            found.save()
        return found

    return [user(*a) for a in AUTHORS], [user(name) for name in READERS]


def ensure_categories() -> list[Category]:
    return [
        Category.objects.get_or_create(slug=name.lower(), defaults={"name": name})[0]
        for name in CATEGORIES
    ]


def ensure_showcase(authors: list[User], readers: list[User]) -> int:
    """The illustrated posts; returns how many were created (0 when they exist)."""
    created = 0
    categories = {c.name: c for c in ensure_categories()}
    for index, (title, category, tags) in enumerate(SHOWCASE):
        author = authors[index % len(authors)]
        existing = Post.objects.filter(author=author, title=title).first()
        if existing is not None:
            _repair_cover(existing, index)
            continue
        post = services.post_create(
            author=author,
            title=title,
            body=BODY,
            category=categories[category],
            tags=services.tags_from_text(", ".join(tags)),
            status=Post.Status.PUBLISHED,
            published_at=timezone.now() - timedelta(days=len(SHOWCASE) - index),
            cover=picture(index),
        )
        services.comment_create(
            post=post, author=readers[index % len(readers)], body="Lovely read!"
        )
        services.like_toggle(post=post, user=readers[(index + 1) % len(readers)])
        created += 1
    return created


def _repair_cover(post: Post, seed: int) -> None:
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
        cover=picture(seed),
    )


def bulk_posts(
    total: int, authors: list[User], readers: list[User], *, comments: int = 5, likes: int = 3
) -> Iterator[int]:
    """Create bulk posts until ``total`` exist; yields how many each batch created."""
    existing = Post.objects.filter(slug__startswith="bulk-post-").count()
    categories = ensure_categories()
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
            pagecache.invalidate()  # bulk_create sends no signal (see cblog.posts.signals)
        yield len(posts)
