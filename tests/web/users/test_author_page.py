from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cblog.posts.models import Post


@pytest.fixture
def make_post():
    """Posts made straight through the ORM: these tests are about the author page, not posting."""
    counter = iter(range(1, 10_000))

    def make(author, *, status=Post.Status.PUBLISHED, published_at=None, title=None):
        n = next(counter)
        if published_at is None and status == Post.Status.PUBLISHED:
            published_at = timezone.now() - timedelta(hours=n)
        return Post.objects.create(
            author=author,
            title=title or f"Post {n}",
            slug=f"{author.username}-post-{n}",
            body="Body",
            body_html="<p>Body</p>",
            excerpt="Body",
            status=status,
            published_at=published_at,
        )

    return make


def author_url(user) -> str:
    return reverse("users:author", kwargs={"username": user.username})


def test_author_url_lives_under_authors():
    assert reverse("users:author", kwargs={"username": "ann"}) == "/authors/ann/"


@pytest.mark.django_db
def test_author_page_shows_name_bio_and_published_posts(client, make_user, make_post):
    author = make_user(username="ann", first_name="Ann", last_name="Lee", bio="Birds & trees")
    make_post(author, title="A public story")
    other = make_user()
    make_post(other, title="Somebody else's story")

    response = client.get(author_url(author))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ann Lee" in html
    assert "Birds &amp; trees" in html
    assert "A public story" in html
    assert "Somebody else" not in html
    assert 'class="post-grid"' in html


@pytest.mark.django_db
def test_drafts_and_scheduled_posts_are_not_listed_even_for_their_author(
    client_logged_in, user, make_post
):
    make_post(user, title="Visible one")
    make_post(user, title="Secret draft", status=Post.Status.DRAFT)
    make_post(user, title="Future one", published_at=timezone.now() + timedelta(days=2))

    html = client_logged_in.get(author_url(user)).content.decode()
    assert "Visible one" in html
    assert "Secret draft" not in html
    assert "Future one" not in html
    assert reverse("users:profile") in html  # the author gets an edit link on their own page


@pytest.mark.django_db
def test_author_posts_are_paginated_newest_first(client, user, make_post, settings):
    settings.POSTS_PER_PAGE = 2
    for title in ("Oldest", "Middle", "Newest"):
        make_post(user, title=title, published_at=None)
    # make_post dates each later post an hour earlier; make the titles match the dates.
    now = timezone.now()
    for hours, title in ((3, "Oldest"), (2, "Middle"), (1, "Newest")):
        Post.objects.filter(title=title).update(published_at=now - timedelta(hours=hours))

    first = client.get(author_url(user))
    assert [p.title for p in first.context["page_obj"]] == ["Newest", "Middle"]
    assert 'rel="next"' in first.content.decode()
    second = client.get(author_url(user), {"page": 2})
    assert [p.title for p in second.context["page_obj"]] == ["Oldest"]
    # A nonsense page number shows a real page rather than an error.
    assert client.get(author_url(user), {"page": "x"}).status_code == 200


@pytest.mark.django_db
def test_an_author_without_posts_gets_a_friendly_note(client, user):
    response = client.get(author_url(user))
    assert response.status_code == 200
    assert "has not published anything yet" in response.content.decode()


@pytest.mark.django_db
def test_author_page_shows_the_avatar(client, user, image_file, media_root):
    user.avatar.save("a.jpg", image_file)
    html = client.get(author_url(user)).content.decode()
    assert f'<img class="avatar" src="{user.avatar.url}" alt="Avatar of Ann Author"' in html


@pytest.mark.django_db
def test_an_author_without_an_avatar_gets_an_initial_not_an_empty_circle(client, user):
    html = client.get(author_url(user)).content.decode()
    assert '<span class="avatar avatar-initial" aria-hidden="true">A</span>' in html
    assert '<span class="avatar" aria-hidden="true"></span>' not in html


@pytest.mark.django_db
def test_script_in_a_bio_is_shown_as_text(client, make_user):
    author = make_user(bio='<script>alert("x")</script>', first_name="<b>Bold</b>")
    html = client.get(author_url(author)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert "<b>Bold</b>" not in html


@pytest.mark.django_db
def test_unknown_and_deactivated_authors_are_404(client, make_user):
    gone = make_user(is_active=False)
    assert client.get(author_url(gone)).status_code == 404
    assert client.get("/authors/nobody-here/").status_code == 404


@pytest.mark.django_db
def test_author_page_query_count_does_not_grow_with_posts(
    client, user, make_post, settings, django_assert_max_num_queries
):
    settings.POSTS_PER_PAGE = 10
    for _ in range(15):
        make_post(user)
    # author, count, page of posts (author and category joined), the footer's sections (cached)
    with django_assert_max_num_queries(4):
        response = client.get(author_url(user))
    assert len(response.context["page_obj"]) == 10
