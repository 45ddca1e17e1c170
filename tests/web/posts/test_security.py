"""Authorisation, escaping, CSRF and upload checks, from a hostile user's point of view."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cblog.posts import services
from cblog.posts.models import Comment, Post

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def stranger(make_user) -> Client:
    client = Client()
    client.force_login(make_user(username="mallory"))
    return client


def test_a_stranger_cannot_edit_or_delete_anothers_post(post, stranger):
    for name in ("posts:update", "posts:delete"):
        url = reverse(name, args=[post.slug])
        assert stranger.get(url).status_code == 404
        assert (
            stranger.post(url, {"title": "pwned", "body": "x", "status": "draft"}).status_code
            == 404
        )
    post.refresh_from_db()
    assert post.title != "pwned"


def test_a_stranger_cannot_see_drafts(make_post, user, stranger):
    draft = make_post(author=user, status=Post.Status.DRAFT, title="Private thoughts")
    assert stranger.get(draft.get_absolute_url()).status_code == 404
    assert b"Private thoughts" not in stranger.get(reverse("posts:home")).content
    assert b"Private thoughts" not in stranger.get("/search/?q=Private").content
    assert b"Private thoughts" not in stranger.get(reverse("posts:feed_rss")).content
    assert stranger.post(reverse("posts:like", args=[draft.slug])).status_code == 404
    comment_url = reverse("posts:comment_create", args=[draft.slug])
    assert stranger.post(comment_url, {"body": "x"}).status_code == 404


def test_script_in_title_body_and_comment_is_neutralised(make_post, user, make_user, client):
    post = make_post(author=user, title=f"Title {SCRIPT}", body=f"Body {SCRIPT}")
    services.comment_create(post=post, author=make_user(), body=f"Comment {SCRIPT}")
    for url in (post.get_absolute_url(), reverse("posts:home"), reverse("posts:feed_rss")):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    detail = client.get(post.get_absolute_url()).content.decode()
    assert "&lt;script&gt;" in detail  # the title and comment are shown escaped


def test_a_post_without_csrf_token_is_refused(post, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("posts:comment_create", args=[post.slug]), {"body": "hi"})
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_logout_by_get_does_nothing(client_logged_in, user):
    response = client_logged_in.get(reverse("users:logout"))
    assert response.status_code == 405
    assert client_logged_in.get(reverse("posts:mine")).status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "valid image",
        ),
        ("page.jpg", b"<html><body><script>alert(1)</script></body></html>", "valid image"),
    ],
)
def test_non_images_are_rejected_with_a_clear_message(client_logged_in, name, content, message):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = client_logged_in.post(
        reverse("posts:create"),
        {"title": "t", "body": "b", "status": "draft", "cover": upload},
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["cover"])
    assert not Post.objects.exists()


def test_an_oversize_image_is_rejected(client_logged_in, make_image, settings):
    settings.IMAGE_MAX_BYTES = 500
    response = client_logged_in.post(
        reverse("posts:create"),
        {"title": "t", "body": "b", "status": "draft", "cover": make_image(size=(400, 400))},
    )
    assert "too large" in str(response.context["form"].errors["cover"])
    assert not Post.objects.exists()


def test_a_fake_video_is_rejected(client_logged_in):
    fake = SimpleUploadedFile("movie.mp4", b"MZ\x90\x00 this is an executable", "video/mp4")
    response = client_logged_in.post(
        reverse("posts:create"), {"title": "t", "body": "b", "status": "draft", "video": fake}
    )
    assert "MP4 or WebM" in str(response.context["form"].errors["video"])
    assert not Post.objects.exists()
