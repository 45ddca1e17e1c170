from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cblog.posts import services
from cblog.posts.models import Comment, Like, Post

pytestmark = pytest.mark.django_db


def test_home_lists_published_posts_newest_first(make_post, client):
    older = make_post(title="Older")
    newer = make_post(title="Newer")
    make_post(title="Secret draft", status=Post.Status.DRAFT)
    response = client.get(reverse("posts:home"))
    assert response.status_code == 200
    titles = [p.title for p in response.context["page_obj"]]
    assert titles == [newer.title, older.title]
    assert b"Secret draft" not in response.content


def test_home_is_paginated(make_post, client, settings):
    settings.POSTS_PER_PAGE = 2
    for n in range(5):
        make_post(title=f"Post {n}")
    page2 = client.get(reverse("posts:home"), {"page": 2})
    assert [p.title for p in page2.context["page_obj"]] == ["Post 2", "Post 1"]
    assert client.get(reverse("posts:home"), {"page": "999"}).context["page_obj"].number == 3


def test_lists_are_paged_without_counting_the_posts(make_post, client, settings, category):
    settings.POSTS_PER_PAGE = 2
    for n in range(5):
        make_post(title=f"Post {n}", category=category)
    for url in (reverse("posts:home"), reverse("posts:category", args=[category.slug])):
        with CaptureQueriesContext(connection) as queries:
            first = client.get(url).content.decode()
        assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
        assert "<span>Page 1</span>" in first
        assert "Older →" in first
        assert "← Newer" not in first
        last = client.get(url, {"page": 3}).content.decode()
        assert "← Newer" in last
        assert "Older →" not in last
    assert client.get(reverse("posts:home"), {"page": "x"}).context["page_obj"].number == 1


def test_card_shows_author_category_and_counts(make_post, client, category, make_user):
    post = make_post(title="Counted", category=category)
    services.comment_create(post=post, author=make_user(), body="hi")
    services.like_toggle(post=post, user=make_user())
    html = client.get(reverse("posts:home")).content.decode()
    assert post.author.username in html
    assert "Travel" in html
    assert "1 comment<" in html
    assert "1 like<" in html


def test_category_and_tag_pages_filter(make_post, client, category):
    tagged = make_post(title="Tagged", category=category, tags=services.tags_from_text("sea"))
    make_post(title="Other")
    for url in (reverse("posts:category", args=["travel"]), reverse("posts:tag", args=["sea"])):
        titles = [p.title for p in client.get(url).context["page_obj"]]
        assert titles == [tagged.title]
    assert client.get(reverse("posts:tag", args=["nothing"])).status_code == 404


def test_drafts_and_scheduled_posts_are_visible_to_their_author_only(
    make_post, user, client, client_logged_in, make_user, future
):
    draft = make_post(author=user, title="Draft", status=Post.Status.DRAFT)
    scheduled = make_post(author=user, title="Soon", published_at=future)
    stranger = Client()
    stranger.force_login(make_user())
    for post in (draft, scheduled):
        assert client.get(post.get_absolute_url()).status_code == 404
        assert stranger.get(post.get_absolute_url()).status_code == 404
        assert client_logged_in.get(post.get_absolute_url()).status_code == 200
    mine = client_logged_in.get(reverse("posts:mine")).context["page_obj"]
    assert {p.title for p in mine} == {"Draft", "Soon"}


def test_create_post_with_a_cover_image(client_logged_in, user, image_file, media_root):
    response = client_logged_in.post(
        reverse("posts:create"),
        {
            "title": "With picture",
            "body": "Look",
            "status": "published",
            "cover": image_file,
            "tags_text": "photos, sea",
        },
    )
    post = Post.objects.get(title="With picture")
    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url()
    assert post.author == user
    assert post.is_public
    assert post.cover.name.startswith(f"images/{user.pk}/")
    assert post.cover.name.endswith(".jpg")
    assert "photo" not in post.cover.name  # the uploaded name is replaced by a random one
    assert post.cover_thumbnail
    assert sorted(t.slug for t in post.tags.all()) == ["photos", "sea"]
    page = client_logged_in.get(reverse("posts:home")).content.decode()
    assert post.cover_thumbnail.url in page


def test_create_post_with_a_video(client_logged_in, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    mp4 = SimpleUploadedFile("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    client_logged_in.post(
        reverse("posts:create"), {"title": "Clip", "body": "b", "status": "draft", "video": mp4}
    )
    post = Post.objects.get(title="Clip")
    assert post.video.name.endswith(".mp4")
    assert "clip" not in post.video.name
    detail = client_logged_in.get(post.get_absolute_url()).content.decode()
    assert f'src="{post.video.url}"' in detail


def test_invalid_post_form_shows_field_errors_and_saves_nothing(client_logged_in):
    response = client_logged_in.post(
        reverse("posts:create"), {"title": "  ", "body": "", "status": "published"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"title", "body"}
    assert not Post.objects.exists()


def test_author_edits_their_post(post, client_logged_in):
    url = reverse("posts:update", args=[post.slug])
    assert client_logged_in.get(url).status_code == 200
    response = client_logged_in.post(
        url, {"title": "Renamed", "body": "New body", "status": "published"}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.title == "Renamed"
    assert post.slug == "a-day-by-the-sea"


def test_delete_requires_a_post_confirmation(post, client_logged_in):
    url = reverse("posts:delete", args=[post.slug])
    confirm = client_logged_in.get(url)
    assert confirm.status_code == 200
    assert b"Yes, delete it" in confirm.content
    assert Post.objects.filter(pk=post.pk).exists()
    assert client_logged_in.post(url).status_code == 302
    assert not Post.objects.filter(pk=post.pk).exists()


def test_like_by_post_toggles_and_get_is_refused(post, client_logged_in, user):
    url = reverse("posts:like", args=[post.slug])
    assert client_logged_in.get(url).status_code == 405
    client_logged_in.post(url)
    assert Like.objects.filter(post=post, user=user).exists()
    detail = client_logged_in.get(post.get_absolute_url())
    assert detail.context["liked"] is True
    client_logged_in.post(url)
    assert not Like.objects.filter(post=post, user=user).exists()


def test_anonymous_like_redirects_to_login(post, client):
    response = client.post(reverse("posts:like", args=[post.slug]))
    assert response.status_code == 302
    assert reverse("users:login") in response["Location"]
    assert not Like.objects.exists()


def test_anonymous_visitors_read_comments_and_see_a_login_link(post, client, make_user):
    services.comment_create(post=post, author=make_user(), body="First!")
    html = client.get(post.get_absolute_url()).content.decode()
    assert "First!" in html
    assert reverse("users:login") in html
    assert "to comment" in html
    assert "Post comment" not in html


def test_anonymous_comment_is_redirected_not_an_error(post, client):
    response = client.post(reverse("posts:comment_create", args=[post.slug]), {"body": "hi"})
    assert response.status_code == 302
    assert not Comment.objects.exists()


def test_empty_comment_is_a_form_error(post, client_logged_in):
    response = client_logged_in.post(
        reverse("posts:comment_create", args=[post.slug]), {"body": "   "}
    )
    assert response.status_code == 400
    assert "A comment cannot be empty." in response.content.decode()
    assert not Comment.objects.exists()


def test_comment_is_posted(post, client_logged_in, user):
    response = client_logged_in.post(
        reverse("posts:comment_create", args=[post.slug]), {"body": "Great"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#comments")
    assert Comment.objects.get().author == user


def test_comment_deletion_by_post_author_comment_author_and_stranger(make_post, make_user, client):
    owner, writer, stranger = make_user(), make_user(), make_user()
    post = make_post(author=owner)
    first = services.comment_create(post=post, author=writer, body="one")
    second = services.comment_create(post=post, author=writer, body="two")
    client.force_login(stranger)
    assert client.post(reverse("posts:comment_delete", args=[first.pk])).status_code == 404
    client.force_login(writer)
    assert client.post(reverse("posts:comment_delete", args=[first.pk])).status_code == 302
    client.force_login(owner)
    assert client.post(reverse("posts:comment_delete", args=[second.pk])).status_code == 302
    assert not Comment.objects.exists()
    post.refresh_from_db()
    assert post.comment_count == 0


def test_views_are_counted_once_per_anonymous_visitor(post, client):
    client.get(post.get_absolute_url())
    client.get(post.get_absolute_url())
    post.refresh_from_db()
    assert post.view_count == 1
    Client().get(post.get_absolute_url())
    post.refresh_from_db()
    assert post.view_count == 2


def test_views_are_counted_once_per_user(make_post, client_logged_in):
    post = make_post()  # by another author
    for _ in range(3):
        client_logged_in.get(post.get_absolute_url())
    post.refresh_from_db()
    assert post.view_count == 1


def test_an_authors_own_visits_are_not_views(post, client_logged_in):
    response = client_logged_in.get(post.get_absolute_url())
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.view_count == 0
    assert (
        " view" not in response.content.decode().split('class="post-actions"')[1].split("</div>")[0]
    )


def test_feeds_sitemap_and_robots(make_post, client):
    post = make_post(title="Feed me")
    make_post(title="Hidden", status=Post.Status.DRAFT)
    for name in ("posts:feed_rss", "posts:feed_atom"):
        body = client.get(reverse(name)).content.decode()
        assert "Feed me" in body
        assert "Hidden" not in body
    sitemap = client.get("/sitemap.xml").content.decode()
    assert post.get_absolute_url() in sitemap
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
