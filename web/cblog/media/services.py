"""Writes on the user's media: deleting a file that nothing uses."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db.models import Q

from cblog.media.index import MediaEntry
from cblog.media.library import POST_FILE_FIELDS
from cblog.posts.models import Post
from cblog.users.models import User


class MediaInUse(Exception):
    """A post or a profile still points at the file."""


def in_use(name: str) -> bool:
    """Whether a post or a profile points at the stored file ``name``."""
    uses = Q()
    for field in POST_FILE_FIELDS:
        uses |= Q(**{field: name})
    return Post.objects.filter(uses).exists() or User.objects.filter(avatar=name).exists()


def media_delete(*, entry: MediaEntry) -> None:
    """Delete an unused file.

    Raises ``MediaInUse`` if something points at it: deleting would break a post or a profile.
    Nothing can start using it afterwards (uploads always get new names), so the check does
    not race with the editor. The pipeline does the rest, as for any other deleted object: the
    deriver removes the renditions (derived/<key>/) and the indexer tombstones the entry.
    """
    if in_use(entry.storage_name):
        raise MediaInUse(entry.key)
    default_storage.delete(entry.storage_name)
