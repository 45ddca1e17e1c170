from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cblog.core.reversing import cached_reverse

READING_WORDS_PER_MINUTE = 230


def cover_upload_to(instance: Post, filename: str) -> str:
    return f"images/{instance.author_id}/{filename}"


def video_upload_to(instance: Post, filename: str) -> str:
    return f"videos/{instance.author_id}/{filename}"


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return cached_reverse("posts:category", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return cached_reverse("posts:tag", kwargs={"slug": self.slug})


class PostQuerySet(models.QuerySet["Post"]):
    def published(self) -> PostQuerySet:
        """Published and due: scheduled posts appear once their date has come."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__lte=timezone.now())

    def visible_to(self, user: object) -> PostQuerySet:
        """What ``user`` may read: everything published, plus their own drafts and schedule."""
        public = Q(status=Post.Status.PUBLISHED, published_at__lte=timezone.now())
        if getattr(user, "is_authenticated", False):
            return self.filter(public | Q(author=user))
        return self.filter(public)


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    # Generated once from the first title and never changed, so links stay valid.
    slug = models.SlugField(max_length=220, unique=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    body = models.TextField(help_text="Markdown.")
    body_html = models.TextField(editable=False)  # sanitised HTML rendered from body on save
    excerpt = models.CharField(max_length=300, editable=False, blank=True)
    cover = models.ImageField(upload_to=cover_upload_to, blank=True)
    cover_thumbnail = models.ImageField(upload_to=cover_upload_to, blank=True, editable=False)
    # The cover's alt text (empty: the title stands in) and the caption under it on the post.
    cover_alt = models.CharField("cover description", max_length=250, blank=True)
    cover_caption = models.CharField(max_length=300, blank=True)
    video = models.FileField(upload_to=video_upload_to, blank=True)
    # A WebVTT captions track for the video, stored beside it (the video's kind and owner, so
    # the index lists it under its author); its language, a code of settings.LANGUAGES.
    captions = models.FileField(upload_to=video_upload_to, blank=True)
    captions_language = models.CharField(max_length=15, blank=True, default="en")
    # Renditions the media deriver made of cover/cover_thumbnail (cblog.media.renditions).
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Denormalised counters, kept by the services in the same transaction as the rows they count,
    # so list pages need no COUNT per post.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    like_count = models.PositiveIntegerField(default=0, editable=False)
    view_count = models.PositiveIntegerField(default=0, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        # Ascending: MySQL walks it backwards for "newest first" (a descending index would not
        # serve the ORDER BY ... id DESC tie-break and sorts every row instead).
        indexes = [models.Index(fields=["status", "published_at"], name="post_status_published")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return cached_reverse("posts:detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and not self.is_public

    @property
    def reading_minutes(self) -> int:
        """Minutes to read the body at about 230 words a minute; at least one."""
        return max(1, round(len(self.body.split()) / READING_WORDS_PER_MINUTE))

    @property
    def was_edited(self) -> bool:
        """Whether the post changed on a later day than it was published.

        Saving a post writes it twice (the row, then its cover thumbnail) and a draft is saved
        before it is published: those are not edits a reader cares about. A change on a later
        day (the site's time zone) than the post went live (published, or created when it was
        back-dated) is.
        """
        if not self.is_public or self.updated_at is None:
            return False
        went_live = max(self.published_at, self.created_at or self.published_at)
        return timezone.localdate(self.updated_at) > timezone.localdate(went_live)


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author} on {self.post}"


class Like(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="one_like_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.post_id}"


class PostView(models.Model):
    """One row per visitor, post and day: the view counter's de-duplication record."""

    # No database constraint: on MySQL its check share-locks the post row, and concurrent first
    # views would deadlock on the counter update (see services.view_record). Django still
    # deletes these rows with their post.
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    visitor = models.CharField(max_length=64)  # a hash: user id or anonymous visitor cookie
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "visitor", "day"], name="one_view_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.visitor[:8]} viewed {self.post_id} on {self.day}"
