"""A post's video accepts a WebVTT captions track: checked, stored beside the video, rendered
as a default <track> (the video then fetched with CORS), removed with the video."""

from __future__ import annotations

import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from cblog.posts import selectors
from cblog.posts.models import Post

pytestmark = pytest.mark.django_db
CREATE = reverse("posts:create")
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(1000)
VTT = b"WEBVTT\n\n00:00.000 --> 00:02.000\nGulls over the harbour.\n"


def _video() -> SimpleUploadedFile:
    return SimpleUploadedFile("clip.mp4", MP4, content_type="video/mp4")


def _vtt(data: bytes = VTT, name: str = "clip.vtt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/vtt")


def _create(client, **fields):
    data = {"title": "Harbour", "body": "Boats.", "status": "published"} | fields
    return client.post(CREATE, data)


def test_captions_are_stored_beside_the_video_and_rendered_as_the_default_track(
    client_logged_in, user, media_root
):
    response = _create(client_logged_in, video=_video(), captions=_vtt(), captions_language="fr")
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get()
    assert re.fullmatch(rf"videos/{user.pk}/[0-9a-f]{{32}}\.vtt", post.captions.name)
    assert default_storage.open(post.captions.name).read() == VTT
    html = client_logged_in.get(post.get_absolute_url()).content.decode()
    [video] = re.findall(r"<video [^>]*>", html)
    assert 'crossorigin="anonymous"' in video
    [track] = re.findall(r"<track [^>]*>", html)
    assert track == (
        f'<track kind="captions" src="{post.captions.url}" srclang="fr" label="French" default>'
    )


def test_a_video_without_captions_is_not_fetched_with_cors(client_logged_in, media_root):
    _create(client_logged_in, video=_video())
    html = client_logged_in.get(Post.objects.get().get_absolute_url()).content.decode()
    assert "<track" not in html
    assert "crossorigin" not in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"1\n00:00:00,000 --> 00:00:02,000\nSRT, not WebVTT\n", "must start with “WEBVTT”"),
        (b"WEBVTTX\n", "must start with “WEBVTT”"),
        (b"<script>alert(1)</script>", "must start with “WEBVTT”"),
        (b"WEBVTT\n\xff\xfe", "WebVTT file in UTF-8"),
        (b"WEBVTT\n" + b"a" * 600 * 1024, "too large: the limit is 512 KB"),
    ],
)
def test_what_is_not_webvtt_is_refused(client_logged_in, media_root, data, message):
    response = _create(client_logged_in, video=_video(), captions=_vtt(data))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Post.objects.exists()


def test_a_byte_order_mark_and_a_header_text_are_accepted(client_logged_in, media_root):
    data = "\ufeffWEBVTT\tHarbour captions\n\n00:00.000 --> 00:01.000\nHi\n".encode()
    assert _create(client_logged_in, video=_video(), captions=_vtt(data)).status_code == 302


def test_captions_need_a_video(client_logged_in, media_root):
    response = _create(client_logged_in, captions=_vtt())
    assert "Captions go with a video: add the video too." in response.content.decode()
    assert not Post.objects.exists()


def test_removing_the_video_removes_its_captions(
    client_logged_in, media_root, django_capture_on_commit_callbacks
):
    _create(client_logged_in, video=_video(), captions=_vtt())
    post = Post.objects.get()
    names = (post.video.name, post.captions.name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_logged_in.post(
            reverse("posts:update", args=[post.slug]),
            {"title": "Harbour", "body": "Boats.", "status": "published", "video-clear": "on"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    post.refresh_from_db()
    assert not post.video
    assert not post.captions
    assert not any(default_storage.exists(name) for name in names)


def test_the_editor_offers_captions_with_their_language(client_logged_in):
    html = client_logged_in.get(CREATE).content.decode()
    assert 'accept=".vtt,text/vtt"' in html
    assert '<option value="en" selected>English</option>' in html


@pytest.mark.django_db(transaction=True)  # InnoDB's full-text index sees committed rows only
def test_the_search_index_still_follows_posts_across_the_captions_migration(make_post):
    """0006 rebuilds posts_post on SQLite (both ways); the full-text triggers come back."""
    executor = MigrationExecutor(connection)
    executor.migrate([("posts", "0005_cover_alt_caption")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("posts", "0006_post_captions")])
    post = make_post(title="Cormorants drying their wings")
    assert selectors.post_search(query="cormorants").ids == [post.pk]
