from __future__ import annotations

import io

import boto3
import pytest
from django.core.management import CommandError, call_command

from cblog.core.uploads import clean_image
from cblog.posts import services

pytestmark = pytest.mark.django_db
BUCKET = "cblog-media-test"


@pytest.fixture
def s3_media(media_index, settings):
    """Media stored in a moto S3 bucket, as in production."""
    s3 = boto3.resource("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    settings.MEDIA_BUCKET = BUCKET
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "region_name": "us-east-1",
                "location": "media",
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    return s3.Bucket(BUCKET)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("media_reconcile", *args, stdout=out, verbosity=0)
    return out.getvalue()


def test_reconcile_reports_then_repairs_every_kind_of_difference(
    s3_media, media_index, put_entry, user, make_image
):
    post = services.post_create(
        author=user, title="Cover", body="b", cover=clean_image(make_image())
    )
    cover_key = f"media/{post.cover.name}"
    thumb_key = f"media/{post.cover_thumbnail.name}"
    put_entry(user.pk, post.cover.name.rsplit("/", 1)[1])  # the cover is indexed
    s3_media.put_object(Key=f"media/images/{user.pk}/orphan.jpg", Body=b"x")
    put_entry(user.pk, "vanished.jpg")  # indexed, not in the bucket
    # Indexed outside media/ (the deriver's renditions, an operator's upload): not reconciled.
    derived_key = f"derived/{post.cover.name}/480w.webp"
    s3_media.put_object(Key=derived_key, Body=b"x")
    media_index.put_item(Item={"id": derived_key, "deleted": False, "bucket": BUCKET})
    services.post_update(
        post=services.post_create(author=user, title="v", body="b"),
        title="t",
        body="b",
        category=None,
        tags=[],
        status="published",
        video="videos/1/never-uploaded.mp4",
    )

    report = _run()
    assert "1 orphaned objects" in report
    assert f"media/images/{user.pk}/orphan.jpg" in report
    assert "1 missing objects" in report
    assert "media/videos/1/never-uploaded.mp4" in report
    assert "2 unindexed objects" in report  # the thumbnail and the orphan
    assert "1 stale index entries" in report
    assert "--fix" in report

    _run("--fix")
    keys = {o.key for o in s3_media.objects.all()}
    assert keys == {cover_key, thumb_key, derived_key}
    assert media_index.get_item(Key={"id": derived_key})["Item"]["deleted"] is False
    thumb = media_index.get_item(Key={"id": thumb_key})["Item"]
    assert thumb["owner"] == str(user.pk)
    assert thumb["kind"] == "images"
    assert thumb["deleted"] is False
    vanished = media_index.get_item(Key={"id": f"media/images/{user.pk}/vanished.jpg"})["Item"]
    assert vanished["deleted"] is True

    after = _run()
    assert "0 orphaned objects" in after
    assert "0 unindexed objects" in after
    assert "0 stale index entries" in after
    assert "1 missing objects" in after  # a missing file cannot be conjured up


def test_reconcile_needs_a_bucket(settings):
    settings.MEDIA_BUCKET = ""
    with pytest.raises(CommandError, match="MEDIA_BUCKET"):
        _run()


def test_a_posts_captions_are_referenced_not_orphans(s3_media, media_index, user):
    from django.core.files.base import ContentFile

    post = services.post_create(
        author=user,
        title="Film",
        body="b",
        video=ContentFile(b"\x00\x00\x00\x18ftypisom" + bytes(64), name="v.mp4"),
        captions=ContentFile(b"WEBVTT\n", name="v.vtt"),
    )
    assert "0 orphaned" in _run()  # (the video and captions are reported as not indexed)
    _run("--fix")
    assert s3_media.Object(f"media/{post.captions.name}").content_length == 7
