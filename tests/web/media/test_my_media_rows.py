"""My media: one row per uploaded file, its thumbnail, what uses it, and deleting unused files.

The index and the bucket are moto's in-process DynamoDB and S3 (``media_index``); the local
file storage case uses a per-test MEDIA_ROOT and no index.
"""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cblog.posts import services
from cblog.posts.models import Post

pytestmark = pytest.mark.django_db
URL = reverse("media:mine")
DELETE = reverse("media:delete")
BUCKET = "cblog-media-rows"


@pytest.fixture
def bucket(media_index: Any, settings: Any) -> Any:
    """The media storage on moto's S3 (in the same mock as the index), as base.py sets it."""
    s3 = boto3.resource("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    settings.MEDIA_BUCKET = BUCKET
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": BUCKET, "location": "media", "file_overwrite": False},
        },
    }
    return s3.Bucket(BUCKET)


def _keys(bucket: Any) -> set[str]:
    return {summary.key for summary in bucket.objects.all()}


def _row_names(response: Any) -> list[str]:
    return [row.entry.storage_name for row in response.context["rows"]]


def _index_post(put_entry: Any, post: Post) -> None:
    """Index a post's files as the indexer would (cover, its card thumbnail, video)."""
    for field in ("cover", "cover_thumbnail", "video"):
        name = getattr(post, field).name
        if name:
            kind, owner, filename = name.split("/")
            put_entry(int(owner), filename, kind=kind)


def test_a_cover_and_its_card_thumbnail_are_one_row_linked_to_the_post(
    client_logged_in, user, put_entry, make_image, media_root
):
    post = services.post_create(
        author=user, title="Harbour", body="b", status="published", cover=make_image()
    )
    _index_post(put_entry, post)
    response = client_logged_in.get(URL)
    assert _row_names(response) == [post.cover.name]  # not the thumbnail beside it
    [row] = response.context["rows"]
    assert not row.unused
    assert row.thumbnail == post.cover_thumbnail.url  # no renditions yet: the card's picture
    html = response.content.decode()
    assert f'href="{post.get_absolute_url()}">Harbour</a>' in html
    assert "Unused" not in html
    assert DELETE not in html  # nothing to delete: the file is in use


def test_unused_files_are_marked_with_a_delete_form_and_the_smallest_rendition(
    client_logged_in, user, put_entry
):
    renditions = [
        {"key": f"derived/images/{user.pk}/old.jpg/full.jpg", "width": 2000, "height": 1000},
        {"key": f"derived/images/{user.pk}/old.jpg/480w.webp", "width": 480, "height": 240},
        {"key": f"derived/images/{user.pk}/old.jpg/960w.webp", "width": 960, "height": 480},
    ]
    put_entry(user.pk, "old.jpg", renditions=renditions)
    put_entry(user.pk, "clip.mp4", kind="videos", content_type="video/mp4")
    response = client_logged_in.get(URL)
    image, video = sorted(response.context["rows"], key=lambda r: r.entry.kind)
    assert image.unused
    assert video.unused
    assert image.thumbnail.endswith(f"/derived/images/{user.pk}/old.jpg/480w.webp")
    assert video.thumbnail is None
    assert video.icon == "video"
    html = response.content.decode()
    assert html.count("Unused</span>") == 2
    forms = re.findall(
        r'<form class="media-delete" method="post" action="([^"]+)">(.*?)</form>', html, re.S
    )
    assert [action for action, _ in forms] == [DELETE, DELETE]
    assert all('name="csrfmiddlewaretoken"' in body for _, body in forms)
    assert f'name="key" value="media/videos/{user.pk}/clip.mp4"' in html


def test_the_avatar_is_used_by_the_profile(client_logged_in, user, put_entry, media_root):
    user.avatar = f"avatars/{user.pk}/face.jpg"
    user.save()
    put_entry(user.pk, "face.jpg", kind="avatars")
    response = client_logged_in.get(URL)
    [row] = response.context["rows"]
    assert [use.label for use in row.uses] == ["Your profile picture"]
    assert (
        f'href="{reverse("users:profile")}">Your profile picture</a>' in response.content.decode()
    )


def test_query_count_is_flat_in_the_number_of_files(
    client_logged_in, user, put_entry, make_image, media_root
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client_logged_in.get(URL).status_code == 200
        return len(captured)

    post = services.post_create(author=user, title="One", body="b", cover=make_image())
    _index_post(put_entry, post)
    client_logged_in.get(URL)  # the first page of a session also saves the session
    few = queries()
    for n in range(8):
        post = services.post_create(author=user, title=f"P{n}", body="b", cover=make_image())
        _index_post(put_entry, post)
        put_entry(user.pk, f"spare-{n}.jpg")
    user.avatar = f"avatars/{user.pk}/face.jpg"
    user.save()
    put_entry(user.pk, "face.jpg", kind="avatars")
    many = client_logged_in.get(URL)
    assert len(many.context["rows"]) == 18
    assert queries() == few
    assert few <= 4  # session, user, posts using the files, profiles using them


def test_deleting_an_unused_file_removes_the_object_and_leaves_renditions_to_the_pipeline(
    client_logged_in, user, put_entry, bucket
):
    """The deriver removes derived/<key>/ when S3 reports the removal (tests/e2e)."""
    derived = [f"derived/images/{user.pk}/old.jpg/{size}" for size in ("full.jpg", "480w.webp")]
    for key in [f"media/images/{user.pk}/old.jpg", *derived, "derived/someone-elses.webp"]:
        bucket.put_object(Key=key, Body=b"x")
    put_entry(user.pk, "old.jpg", renditions=[{"key": k, "width": 1, "height": 1} for k in derived])
    response = client_logged_in.post(DELETE, {"key": f"media/images/{user.pk}/old.jpg"})
    assert response.status_code == 302
    assert response["Location"] == URL
    assert _keys(bucket) == {*derived, "derived/someone-elses.webp"}
    page = client_logged_in.get(URL)  # the indexer tombstones the entry when S3 tells it
    assert "old.jpg was deleted." in page.content.decode()


def test_a_strangers_file_a_file_in_use_and_an_unknown_key_are_not_deleted(
    client_logged_in, user, make_user, put_entry, bucket
):
    stranger = make_user()
    theirs = f"media/images/{stranger.pk}/theirs.jpg"
    used = f"media/avatars/{user.pk}/face.jpg"
    for key in (theirs, used):
        bucket.put_object(Key=key, Body=b"x")
        put_entry(int(key.split("/")[2]), key.rsplit("/", 1)[1], kind=key.split("/")[1])
    user.avatar = used.removeprefix("media/")
    user.save()

    assert client_logged_in.post(DELETE, {"key": theirs}).status_code == 404
    for key in (f"media/images/{user.pk}/never.jpg", "media/../x", "", f"derived/{used}"):
        assert client_logged_in.post(DELETE, {"key": key}).status_code == 404, key
    response = client_logged_in.post(DELETE, {"key": used}, follow=True)
    assert "face.jpg is in use, so it was not deleted." in response.content.decode()
    assert _keys(bucket) == {theirs, used}
    assert client_logged_in.get(DELETE).status_code == 405


def test_delete_needs_the_csrf_token(user, put_entry, bucket):
    key = f"media/images/{user.pk}/old.jpg"
    bucket.put_object(Key=key, Body=b"x")
    put_entry(user.pk, "old.jpg")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(DELETE, {"key": key}).status_code == 403
    assert _keys(bucket) == {key}


def test_with_local_files_and_no_index_the_folders_are_listed(
    client_logged_in, user, make_user, settings, media_root, make_image
):
    settings.MEDIA_INDEX_TABLE = ""
    post = services.post_create(author=user, title="Local", body="b", cover=make_image())
    spare = default_storage.save(f"images/{user.pk}/spare.jpg", ContentFile(b"x"))
    default_storage.save(f"images/{make_user().pk}/theirs.jpg", ContentFile(b"x"))
    response = client_logged_in.get(URL)
    assert response.status_code == 200
    assert sorted(_row_names(response)) == sorted([post.cover.name, spare])
    assert [row.unused for row in response.context["rows"] if row.entry.storage_name == spare] == [
        True
    ]

    assert client_logged_in.post(DELETE, {"key": f"media/{post.cover.name}"}).status_code == 302
    assert default_storage.exists(post.cover.name)  # in use: kept
    assert client_logged_in.post(DELETE, {"key": f"media/{spare}"}).status_code == 302
    assert not default_storage.exists(spare)
    assert _row_names(client_logged_in.get(URL)) == [post.cover.name]
