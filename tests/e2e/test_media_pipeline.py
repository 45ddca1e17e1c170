"""Upload through Django -> S3 (local endpoint) -> SQS -> relay -> handler -> DynamoDB -> My media.

Nothing is mocked: the Django test client posts a real form, django-storages writes to the moto
server's bucket, the bucket notifies the queue that ``local.bootstrap`` wired, the real
``python -m local.relay`` calls the real ``app.handler``, and the page reads the index through
the owner GSI. Deleting the post deletes the objects after the commit, which leaves tombstones.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cblog.posts.models import Post
from cblog.users.models import User
from local.bootstrap import Settings

from .conftest import wait_until

INDEX_BOUND = 2.0  # seconds from the stored upload to "My media" (issue 3)
# The start of an MP4: an `ftyp` box (size 24, brand isom), then a little padding.
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(1000)


def _exists(s3: Any, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in {"404", "NoSuchKey"}:
            return False
        raise
    return True


def _my_media(client: Client) -> str:
    response = client.get(reverse("media:mine"))
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


@pytest.mark.django_db
def test_uploaded_media_is_indexed_listed_and_tombstoned_on_delete(
    pipeline: Settings,
    make_user: Callable[..., User],
    make_jpeg: Callable[[], SimpleUploadedFile],
    django_capture_on_commit_callbacks: Any,
) -> None:
    author, stranger = make_user(), make_user()
    client, other = Client(), Client()
    client.force_login(author)
    other.force_login(stranger)
    s3 = pipeline.client("s3")
    table = pipeline.client("dynamodb")

    def item(key: str) -> dict[str, Any] | None:
        return table.get_item(TableName=pipeline.table, Key={"id": {"S": key}}).get("Item")

    assert "No media yet" in _my_media(client)  # the index answers, and has nothing of ours

    # Upload: a picture (stored with its thumbnail) and a video, through the real form.
    started = time.monotonic()
    response = client.post(
        reverse("posts:create"),
        {
            "title": "Pipeline",
            "body": "Pictures and a video.",
            "status": "draft",
            "cover": make_jpeg(),
            "video": SimpleUploadedFile("clip.mp4", MP4, "video/mp4"),
        },
    )
    stored = time.monotonic()  # the response returns once every object is in the bucket
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(author=author)
    names = [post.cover.name, post.cover_thumbnail.name, post.video.name]
    keys = [f"media/{name}" for name in names]
    assert keys[0].startswith(f"media/images/{author.pk}/")
    assert keys[2].startswith(f"media/videos/{author.pk}/")
    sizes = {key: s3.head_object(Bucket=pipeline.bucket, Key=key)["ContentLength"] for key in keys}
    # Stored with the exact type of the checked content (a video's from its container signature).
    types = [s3.head_object(Bucket=pipeline.bucket, Key=key)["ContentType"] for key in keys]
    assert types == ["image/jpeg", "image/jpeg", "video/mp4"]

    # S3 -> SQS -> relay -> handler -> DynamoDB -> the author's "My media", within 2 s. The
    # card thumbnail is indexed too, and shown as part of its cover's row, not as a file.
    uploaded = [keys[0], keys[2]]
    listed = wait_until(
        lambda: all(key in (page := _my_media(client)) for key in uploaded) and page, 5
    )
    latency = time.monotonic() - stored
    print(
        f"\nupload request {stored - started:.2f} s; stored -> listed on My media {latency:.2f} s"
    )
    assert listed, f"not listed after 5 s; index items: {[item(k) for k in keys]}"
    assert latency < INDEX_BOUND
    assert "image/jpeg" in listed
    assert "video/mp4" in listed
    for key in keys:
        entry = item(key)
        assert entry is not None
        assert entry["owner"] == {"S": str(author.pk)}
        assert entry["size"] == {"N": str(sizes[key])}
        assert entry["deleted"] == {"BOOL": False}
    assert not any(key in _my_media(other) for key in keys)  # owner-scoped, not a scan
    assert listed.count('class="media-row') == 2  # one row per uploaded file

    # Delete: the objects go after the commit, and the index keeps tombstones.
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("posts:delete", kwargs={"slug": post.slug}))
    assert response.status_code == 302
    assert not Post.objects.filter(pk=post.pk).exists()
    assert all(_exists(s3, pipeline.bucket, key) for key in keys)  # nothing before the commit
    for callback in callbacks:  # the commit
        callback()
    assert not any(_exists(s3, pipeline.bucket, key) for key in keys)

    started = time.monotonic()
    tombstones = wait_until(
        lambda: all((i := item(k)) and i["deleted"] == {"BOOL": True} for k in keys), 5
    )
    print(f"delete -> tombstones {time.monotonic() - started:.2f} s")
    assert tombstones, f"no tombstones after 5 s: {[item(k) for k in keys]}"
    for key in keys:
        assert "deleted_at" in item(key)  # type: ignore[operator]
    page = _my_media(client)
    assert not any(key in page for key in keys)
    assert "No media yet" in page


@pytest.mark.django_db
def test_polyglot_cover_is_derived_and_served_without_script_or_php(
    pipeline: Settings, make_user: Callable[..., User], make_jpeg: Callable[[], SimpleUploadedFile]
) -> None:
    """The issue's polyglot through the real form, bucket, relay and deriver, to the page."""
    author = make_user()
    client = Client()
    client.force_login(author)
    s3 = pipeline.client("s3")
    table = pipeline.client("dynamodb")
    jpeg = make_jpeg().read()
    comment = b"<script>alert(1)</script><?php system($_GET['c']); ?>"
    segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    polyglot = jpeg[:2] + segment + jpeg[2:] + b"<html><script>alert(2)</script></html>"
    response = client.post(
        reverse("posts:create"),
        {
            "title": "Polyglot",
            "body": "b",
            "status": "draft",
            "cover": SimpleUploadedFile("p.jpg", polyglot, "image/jpeg"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(author=author)
    key = f"media/{post.cover.name}"
    assert s3.head_object(Bucket=pipeline.bucket, Key=key)["ContentType"] == "image/jpeg"

    def renditions() -> list[dict[str, Any]] | None:
        found = table.get_item(TableName=pipeline.table, Key={"id": {"S": key}}).get("Item", {})
        return found.get("renditions", {}).get("L")

    recorded = wait_until(renditions, 10)
    assert recorded, "the deriver recorded no renditions within 10 s"
    for rendition in recorded:
        derived = s3.get_object(Bucket=pipeline.bucket, Key=rendition["M"]["key"]["S"])
        body = derived["Body"].read().lower()
        assert b"<script" not in body
        assert b"<?php" not in body
        assert derived["ContentType"] in {"image/jpeg", "image/webp"}

    page = client.get(post.get_absolute_url()).content.decode()
    assert "/derived/images/" in page
    assert "480w.webp" in page or "full.jpg" in page


@pytest.mark.django_db
def test_an_unused_file_is_deleted_from_my_media_with_its_renditions_and_tombstoned(
    pipeline: Settings, make_user: Callable[..., User], make_jpeg: Callable[[], SimpleUploadedFile]
) -> None:
    """An uploaded picture nothing uses: derived, listed as unused, deleted from My media."""
    author = make_user()
    client = Client()
    client.force_login(author)
    s3 = pipeline.client("s3")
    table = pipeline.client("dynamodb")
    key = f"media/images/{author.pk}/spare.jpg"
    s3.put_object(
        Bucket=pipeline.bucket, Key=key, Body=make_jpeg().read(), ContentType="image/jpeg"
    )

    def item() -> dict[str, Any]:
        return table.get_item(TableName=pipeline.table, Key={"id": {"S": key}}).get("Item", {})

    recorded = wait_until(lambda: item().get("renditions", {}).get("L"), 10)
    assert recorded, f"not derived within 10 s: {item()}"
    derived = [r["M"]["key"]["S"] for r in recorded]
    assert all(_exists(s3, pipeline.bucket, k) for k in derived)
    page = _my_media(client)
    assert "Unused</span>" in page
    assert f'name="key" value="{key}"' in page

    response = client.post(reverse("media:delete"), {"key": key})
    assert response.status_code == 302
    assert not _exists(s3, pipeline.bucket, key)
    # The deriver removes the renditions when S3 reports the removal.
    assert wait_until(lambda: not any(_exists(s3, pipeline.bucket, k) for k in derived), 10)
    assert wait_until(lambda: item().get("deleted") == {"BOOL": True}, 5), item()
    assert "No media yet" in _my_media(client)
