"""What "My media" shows: one row per uploaded file, what uses it and what is unused.

The list of files comes from the media index (the indexer's record of the bucket) or, with
local file storage and no index, from the storage's folders. Each file is then matched with
the posts and profiles that point at it: two queries per page, whatever its length. A post's
card thumbnail is made by the site from its cover, so it is shown as part of the cover's row,
not as a file of its own; one that no post uses any more is listed (and deletable) like any
other unused file.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.urls import reverse

from cblog.media import direct
from cblog.media.index import (
    MediaEntry,
    MediaIndexUnavailable,
    MediaPage,
    media_get,
    media_list,
)
from cblog.media.renditions import derived_url, index_key, recorded
from cblog.posts.models import Post
from cblog.users.models import User

# The folders of the media layout, `<kind>/<user id>/<name>` (as the indexer reads keys).
KINDS = ("images", "videos", "avatars")
# Post fields that hold a stored file: those a writer uploads, then the card thumbnail.
POST_FILE_FIELDS = ("cover", "video", "captions", "cover_thumbnail")


@dataclass(frozen=True)
class Use:
    label: str
    url: str


@dataclass
class MediaRow:
    entry: MediaEntry
    url: str
    thumbnail: str | None = None  # a small picture of it, when there is one
    uses: list[Use] = field(default_factory=list)

    @property
    def icon(self) -> str:
        """ "image", "video" or "file": what the row shows when it has no thumbnail."""
        major = self.entry.content_type or mimetypes.guess_type(self.entry.key)[0] or ""
        major = major.partition("/")[0]
        return major if major in ("image", "video") else "file"

    @property
    def unused(self) -> bool:
        return not self.uses


def owns(user_id: int, key: str) -> bool:
    """Whether ``key`` is in ``user_id``'s own folders of the media layout."""
    parts = key.split("/")
    return (
        len(parts) == 4
        and parts[0] == "media"
        and parts[1] in KINDS
        and parts[2] == str(user_id)
        and bool(parts[3])
    )


def listing_available() -> bool:
    """The index when there is one; the storage's folders only for local files."""
    return bool(settings.MEDIA_INDEX_TABLE) or not direct.enabled()


def media_page(*, owner_id: int | None, cursor: str | None) -> MediaPage:
    """One page of files, newest first; ``owner_id=None`` for everyone's (staff).

    Raises ``MediaIndexUnavailable`` when the files cannot be listed.
    """
    if settings.MEDIA_INDEX_TABLE:
        page = media_list(owner_id=owner_id, cursor=cursor)
    elif not direct.enabled():
        page = MediaPage(entries=_stored_entries(owner_id), next_cursor=None)
    else:
        raise MediaIndexUnavailable("MEDIA_INDEX_TABLE is not configured")
    unique = {entry.key: entry for entry in reversed(page.entries)}  # the newest copy wins
    entries = [entry for entry in page.entries if unique.get(entry.key) is entry]
    return MediaPage(entries=entries, next_cursor=page.next_cursor)


def _stored_entries(owner_id: int | None) -> list[MediaEntry]:
    """Files of the local storage's media folders (development and single-host setups)."""
    entries = []
    for kind in KINDS:
        owners = [str(owner_id)] if owner_id is not None else _listdir(kind)[0]
        for owner in owners:
            for name in _listdir(f"{kind}/{owner}")[1]:
                stored = f"{kind}/{owner}/{name}"
                entries.append(
                    MediaEntry(
                        key=index_key(stored),
                        owner=owner,
                        kind=kind,
                        size=default_storage.size(stored),
                        content_type=mimetypes.guess_type(name)[0] or "",
                        created_at=default_storage.get_modified_time(stored).astimezone(UTC),
                    )
                )
    entries.sort(key=lambda e: e.created_at or datetime.min.replace(tzinfo=UTC), reverse=True)
    return entries


def _listdir(path: str) -> tuple[list[str], list[str]]:
    try:
        return default_storage.listdir(path)
    except FileNotFoundError:
        return [], []


def rows(entries: Iterable[MediaEntry], *, viewer: User) -> list[MediaRow]:
    """Rows for ``entries``, each with its thumbnail and the posts or profile using it."""
    entries = list(entries)
    names = [entry.storage_name for entry in entries]
    owners = {entry.owner for entry in entries if entry.owner.isdigit()}
    uses: dict[str, list[Use]] = {}
    thumbnails: dict[str, str] = {}
    folded: set[str] = set()  # card thumbnails, shown in their cover's row
    if names and owners:
        in_page = Q()
        for name in POST_FILE_FIELDS:
            in_page |= Q(**{f"{name}__in": names})
        posts = (
            Post.objects.filter(in_page, author_id__in=owners)
            .only("title", "slug", "renditions", *POST_FILE_FIELDS)
            .order_by("-id")
        )
        for post in posts:
            for name in POST_FILE_FIELDS[:-1]:
                file = getattr(post, name)
                if file.name in names:
                    uses.setdefault(file.name, []).append(Use(post.title, post.get_absolute_url()))
            if post.cover and post.cover_thumbnail:
                folded.add(post.cover_thumbnail.name)
                thumbnails[post.cover.name] = _smallest(
                    recorded(post, "cover"), post.cover_thumbnail.url
                )
        profiles = User.objects.filter(pk__in=owners, avatar__in=names).only(
            "username", "avatar", "renditions"
        )
        for person in profiles:
            mine = person.pk == viewer.pk
            label = "Your profile picture" if mine else f"Profile picture of {person.username}"
            url = (
                reverse("users:profile")
                if mine
                else reverse("users:author", args=[person.username])
            )
            uses.setdefault(person.avatar.name, []).append(Use(label, url))
            thumbnails[person.avatar.name] = _smallest(
                recorded(person, "avatar"), person.avatar.url
            )
    result = []
    for entry in entries:
        name = entry.storage_name
        if name in folded and name not in uses:
            continue
        url = default_storage.url(name)
        thumbnail = _smallest(list(entry.renditions), None) or thumbnails.get(name)
        result.append(MediaRow(entry, url, thumbnail, uses.get(name, [])))
    return result


def _smallest(renditions: list[dict[str, object]], fallback: str | None) -> str | None:
    if not renditions:
        return fallback
    smallest = min(renditions, key=lambda r: int(str(r["width"])))
    return derived_url(str(smallest["key"]))


def owned_entry(*, user_id: int, key: str) -> MediaEntry | None:
    """The live file ``key`` if it is in ``user_id``'s own folders, else None.

    Raises ``MediaIndexUnavailable`` when the index cannot be read.
    """
    if not owns(user_id, key):
        return None
    if settings.MEDIA_INDEX_TABLE:
        return media_get(key)
    name = key.removeprefix("media/")
    if not default_storage.exists(name):
        return None
    return MediaEntry(
        key=key,
        owner=str(user_id),
        kind=key.split("/")[1],
        size=None,
        content_type=mimetypes.guess_type(name)[0] or "",
        created_at=None,
    )
