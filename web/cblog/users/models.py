from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from cblog.core.reversing import cached_reverse


def avatar_upload_to(instance: User, filename: str) -> str:
    """``avatars/<user id>/<random name>``: one prefix per owner (see cblog.core.uploads)."""
    return f"avatars/{instance.pk}/{filename}"


class User(AbstractUser):
    """A blog user. The profile (bio, avatar) lives on the user: one row, no extra join."""

    email = models.EmailField("email address", unique=True)
    bio = models.TextField(blank=True, max_length=1000)
    avatar = models.ImageField(upload_to=avatar_upload_to, blank=True)
    # Renditions the media deriver made of the avatar (cblog.media.renditions).
    renditions = models.JSONField(default=dict, blank=True, editable=False)

    def __str__(self) -> str:
        return self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return cached_reverse("users:author", kwargs={"username": self.username})
