"""Direct uploads against a real moto server: presigned POSTs, checks, promotion, refusals.

The browser's part is played by ``requests`` posting the presigned form to the server, as
the page's script does. Note: moto accepts a POST without evaluating its policy (S3 does:
key, Content-Type, content-length-range, expiry); the policy the site signs is checked here
field by field, and the server-side checks are what refuses an object that broke it.
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import requests
from django.test import Client
from django.urls import reverse
from PIL import Image

from cblog.media import direct
from cblog.posts.models import Post
from local.bootstrap import Settings
from local.processes import isolated_env, moto_server
from local.resources import ensure_bucket, ensure_upload_rules

pytestmark = pytest.mark.django_db
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(1000)


@pytest.fixture(scope="module")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with moto_server(tmp_path_factory.mktemp("moto") / "moto.log") as endpoint:
        yield endpoint


@pytest.fixture
def bucket(moto_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A fresh bucket on the moto server, as the media storage (like base.py with a bucket)."""
    env = isolated_env(moto_endpoint, "direct")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    aws = Settings.from_env(env)
    s3 = aws.client("s3")
    ensure_bucket(s3, aws.bucket, aws.region)
    ensure_upload_rules(s3, aws.bucket, ["http://testserver"])
    settings.AWS_REGION = aws.region
    settings.AWS_ENDPOINT_URL = moto_endpoint
    settings.MEDIA_BUCKET = aws.bucket
    storage = {"bucket_name": aws.bucket, "endpoint_url": moto_endpoint, "location": "media"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": storage},
    }
    return boto3.resource("s3", region_name=aws.region, endpoint_url=moto_endpoint).Bucket(
        aws.bucket
    )


def _keys(bucket: Any) -> set[str]:
    return {summary.key for summary in bucket.objects.all()}


def _jpeg(size: tuple[int, int] = (320, 180)) -> bytes:
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(buffer, format="JPEG")
    return buffer.getvalue()


def _grant(client: Client, kind: str, content_type: str) -> dict[str, Any]:
    response = client.post(reverse("media:presign"), {"kind": kind, "content_type": content_type})
    assert response.status_code == 200, response.content
    return response.json()


def _browser_post(grant: dict[str, Any], content: bytes, content_type: str) -> int:
    """What the page's script does: the granted fields, then the file, POSTed to S3."""
    response = requests.post(
        grant["url"],
        data=grant["fields"],
        files={"file": ("upload", content, content_type)},
        headers={"Origin": "http://testserver"},
        timeout=30,
    )
    assert response.headers.get("Access-Control-Allow-Origin") == "http://testserver"
    return response.status_code


def _post_form(**fields: str) -> dict[str, str]:
    return {
        "title": "Straight to S3",
        "body": "Uploaded by the browser.",
        "status": "draft",
    } | fields


def test_the_grant_pins_key_type_size_and_a_short_expiry(bucket, client_logged_in, user, settings):
    grant = _grant(client_logged_in, "images", "image/png")
    assert re.fullmatch(rf"incoming/images/{user.pk}/[0-9a-f]{{32}}\.png", grant["key"])
    policy = json.loads(base64.b64decode(grant["fields"]["policy"]))
    conditions = policy["conditions"]
    assert {"key": grant["key"]} in conditions  # exactly this key, not a prefix
    assert {"Content-Type": "image/png"} in conditions
    assert ["content-length-range", 1, settings.IMAGE_MAX_BYTES] in conditions
    assert {"bucket": settings.MEDIA_BUCKET} in conditions
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert 0 < (expires - datetime.now(UTC)).total_seconds() <= direct.PRESIGN_SECONDS
    assert grant["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    # A second grant gets another random key.
    assert _grant(client_logged_in, "images", "image/png")["key"] != grant["key"]


def test_a_presigned_post_writes_exactly_its_key_on_the_server(bucket, client_logged_in):
    grant = _grant(client_logged_in, "videos", "video/mp4")
    assert _browser_post(grant, MP4, "video/mp4") == 204
    assert _keys(bucket) == {grant["key"]}
    stored = bucket.Object(grant["key"])
    assert stored.content_type == "video/mp4"
    assert stored.content_length == len(MP4)


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [("images", "text/html"), ("videos", "image/jpeg"), ("avatars", "video/mp4"), ("x", "a/b")],
)
def test_no_grant_for_a_type_the_kind_does_not_take(bucket, client_logged_in, kind, content_type):
    response = client_logged_in.post(
        reverse("media:presign"), {"kind": kind, "content_type": content_type}
    )
    assert response.status_code == 400
    assert response.json()["error"]


def test_only_signed_in_users_get_grants(bucket, client):
    response = client.post(
        reverse("media:presign"), {"kind": "images", "content_type": "image/jpeg"}
    )
    assert response.status_code == 302
    assert not _keys(bucket)


def test_a_cover_uploaded_directly_is_checked_copied_into_media_and_thumbnailed(
    bucket, client_logged_in, user
):
    grant = _grant(client_logged_in, "images", "image/jpeg")
    assert _browser_post(grant, _jpeg(), "image/jpeg") == 204
    response = client_logged_in.post(reverse("posts:create"), _post_form(cover_key=grant["key"]))
    assert response.status_code == 302, response.context["form"].errors
    post = Post.objects.get(title="Straight to S3")
    name = grant["key"].rsplit("/", 1)[1]
    assert post.cover.name == f"images/{user.pk}/{name}"
    assert post.cover_thumbnail.name.startswith(f"images/{user.pk}/")
    keys = _keys(bucket)
    assert grant["key"] not in keys  # the incoming object is gone
    assert {f"media/{post.cover.name}", f"media/{post.cover_thumbnail.name}"} == keys
    assert bucket.Object(f"media/{post.cover.name}").content_type == "image/jpeg"


def test_a_video_and_an_avatar_uploaded_directly_are_attached(bucket, client_logged_in, user):
    grant = _grant(client_logged_in, "videos", "video/mp4")
    _browser_post(grant, MP4, "video/mp4")
    response = client_logged_in.post(reverse("posts:create"), _post_form(video_key=grant["key"]))
    assert response.status_code == 302
    video = Post.objects.get().video.name
    assert video == f"videos/{user.pk}/{grant['key'].rsplit('/', 1)[1]}"

    grant = _grant(client_logged_in, "avatars", "image/jpeg")
    _browser_post(grant, _jpeg((64, 64)), "image/jpeg")
    response = client_logged_in.post(
        reverse("users:profile"), {"email": user.email, "avatar_key": grant["key"]}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.avatar.name == f"avatars/{user.pk}/{grant['key'].rsplit('/', 1)[1]}"
    assert _keys(bucket) == {f"media/{video}", f"media/{user.avatar.name}"}


def _refused(client: Client, key: str, field: str = "cover") -> str:
    response = client.post(reverse("posts:create"), _post_form(**{f"{field}_key": key}))
    assert response.status_code == 200
    assert not Post.objects.exists()
    [error] = response.context["form"].errors[field]
    assert error in response.content.decode()
    return error


def test_an_object_that_was_never_uploaded_is_refused(bucket, client_logged_in):
    grant = _grant(client_logged_in, "images", "image/jpeg")
    assert "did not arrive" in _refused(client_logged_in, grant["key"])


def test_a_too_large_object_is_refused_and_deleted(bucket, client_logged_in, settings):
    grant = _grant(client_logged_in, "images", "image/jpeg")
    # S3 would refuse this POST (content-length-range); moto does not, so the limit shrinks.
    _browser_post(grant, _jpeg((800, 600)), "image/jpeg")
    settings.IMAGE_MAX_BYTES = 1000
    assert "too large" in _refused(client_logged_in, grant["key"])
    assert not _keys(bucket)


@pytest.mark.parametrize(
    ("kind", "field", "content_type", "content"),
    [
        ("images", "cover", "image/jpeg", b"<html><script>alert(1)</script></html>"),
        ("images", "cover", "image/png", _jpeg()),  # a JPEG under a .png key
        ("videos", "video", "video/mp4", b"MZ\x90\x00" + bytes(100)),
        ("images", "cover", "image/jpeg", b"\xff\xd8\xff\xe0" + bytes(2000)),  # no header
    ],
    ids=["html-as-jpeg", "jpeg-as-png", "exe-as-mp4", "jpeg-signature-only"],
)
def test_an_object_of_the_wrong_type_is_refused_and_deleted(
    bucket, client_logged_in, kind, field, content_type, content
):
    grant = _grant(client_logged_in, kind, content_type)
    _browser_post(grant, content, content_type)
    error = _refused(client_logged_in, grant["key"], field)
    assert "not what it claims" in error or "valid image" in error
    assert not _keys(bucket)


def test_an_object_outside_the_users_prefix_is_refused_and_left_alone(
    bucket, client_logged_in, make_user
):
    other = Client()
    other.force_login(make_user(username="mallory"))
    theirs = _grant(other, "images", "image/jpeg")
    _browser_post(theirs, _jpeg(), "image/jpeg")
    published = "media/images/1/published.jpg"
    bucket.put_object(Key=published, Body=_jpeg(), ContentType="image/jpeg")
    for key in (theirs["key"], published, "incoming/images/../../media/images/1/x.jpg"):
        assert "not yours" in _refused(client_logged_in, key)
    # Deleting what a form names would let anyone delete anyone's media.
    assert _keys(bucket) == {theirs["key"], published}


def test_a_video_key_is_not_accepted_as_a_cover(bucket, client_logged_in):
    grant = _grant(client_logged_in, "videos", "video/mp4")
    _browser_post(grant, MP4, "video/mp4")
    assert "not yours or not of this kind" in _refused(client_logged_in, grant["key"])


def test_the_forms_offer_direct_uploads_only_with_a_bucket(client_logged_in, settings):
    settings.MEDIA_BUCKET = ""
    html = client_logged_in.get(reverse("posts:create")).content.decode()
    assert "data-direct-upload" not in html
    assert 'name="cover_key"' in html  # harmless: refused without a bucket


def test_abandoned_uploads_are_removed_by_reconcile(bucket, client_logged_in):
    from cblog.media import reconcile

    grant = _grant(client_logged_in, "images", "image/jpeg")
    _browser_post(grant, _jpeg(), "image/jpeg")
    assert list(reconcile.abandoned_uploads(bucket)) == []
    later = datetime.now(UTC) + reconcile.INCOMING_MAX_AGE * 2
    assert list(reconcile.abandoned_uploads(bucket, now=later)) == [grant["key"]]


def test_the_local_bucket_gets_cors_for_the_site_and_the_incoming_lifecycle(bucket):
    s3 = bucket.meta.client
    [rule] = s3.get_bucket_cors(Bucket=bucket.name)["CORSRules"]
    assert rule["AllowedOrigins"] == ["http://testserver"]
    assert rule["AllowedMethods"] == ["GET", "HEAD", "POST"]  # GET: media read with CORS
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket.name)["Rules"]
    assert any(
        r["Filter"].get("Prefix") == "incoming/" and r["Expiration"]["Days"] == 1 for r in rules
    )


def test_a_direct_upload_survives_a_form_with_errors_and_the_page_names_it(
    bucket, client_logged_in, user
):
    grant = _grant(client_logged_in, "images", "image/jpeg")
    _browser_post(grant, _jpeg(), "image/jpeg")
    sent = _post_form(title=" ", cover_key=grant["key"], cover_name="harbour <at> dawn.jpg")
    response = client_logged_in.post(reverse("posts:create"), sent)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="cover_key" value="{grant["key"]}"' in html  # sent again on the next save
    assert (
        '<p class="upload-note">harbour &lt;at&gt; dawn.jpg is uploaded and kept: '
        "save to attach it.</p>"
    ) in html
    assert grant["key"] in _keys(bucket)

    response = client_logged_in.post(reverse("posts:create"), {**sent, "title": "Fixed"})
    assert response.status_code == 302
    name = grant["key"].rsplit("/", 1)[1]
    assert Post.objects.get(title="Fixed").cover.name == f"images/{user.pk}/{name}"


def test_a_refused_direct_upload_is_not_sent_again(bucket, client_logged_in):
    grant = _grant(client_logged_in, "images", "image/jpeg")
    _browser_post(grant, b"<html>not a picture</html>" * 10, "image/jpeg")
    response = client_logged_in.post(
        reverse("posts:create"), _post_form(cover_key=grant["key"], cover_name="fake.jpg")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["cover"]
    html = response.content.decode()
    assert 'name="cover_key" value=""' in html or 'name="cover_key" id' in html
    assert grant["key"] not in html
    assert "is uploaded and kept" not in html
