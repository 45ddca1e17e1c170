"""Shared fragments: what every reader sees alike is rendered once per content generation,
signed-in readers included; writes invalidate it; personal parts stay personal."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from cblog.posts import selectors, services
from cblog.posts.models import Category

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fragments(settings):
    settings.FRAGMENT_CACHE_SECONDS = 30  # the page cache stays off: every page is rendered


@pytest.fixture
def published(make_user):
    post = services.post_create(author=make_user(), title="Shared", body="b", status="published")
    services.comment_create(post=post, author=make_user(), body="a first comment")
    return post


def test_signed_in_home_costs_session_and_user_only(
    published, client_logged_in, django_assert_num_queries
):
    client_logged_in.get(reverse("posts:home"))
    with django_assert_num_queries(2):  # session, user: the cards come from the cache
        response = client_logged_in.get(reverse("posts:home"))
    assert b"Shared" in response.content
    assert b"Signed in as" in response.content


def test_signed_in_post_page_costs_session_and_user_only(
    published, client_logged_in, django_assert_num_queries
):
    client_logged_in.get(published.get_absolute_url())
    with django_assert_num_queries(2):  # session, user: the rest is shared or cached
        response = client_logged_in.get(published.get_absolute_url())
    assert b"a first comment" in response.content
    assert b"Post comment" in response.content


@pytest.mark.parametrize(
    "url", [reverse("posts:home"), "/category/travel/", "/tag/trains/"], ids=str.strip
)
def test_anonymous_list_pages_render_without_queries_on_a_fragment_hit(
    url, make_user, client, django_assert_num_queries
):
    category = Category.objects.create(name="Travel", slug="travel", description="Go places")
    services.post_create(
        author=make_user(),
        title="Shared",
        body="b",
        status="published",
        category=category,
        tags=services.tags_from_text("trains"),
    )
    first = client.get(url).content
    with django_assert_num_queries(0):  # the category or tag too comes from the cache
        assert client.get(url).content == first
    assert b"Shared" in first


def test_a_write_invalidates_the_fragments(
    published, user, client_logged_in, django_capture_on_commit_callbacks
):
    client_logged_in.get(reverse("posts:home"))
    client_logged_in.get(published.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(author=user, title="Brand new", body="b", status="published")
        services.comment_create(post=published, author=user, body="a second comment")
    assert b"Brand new" in client_logged_in.get(reverse("posts:home")).content
    assert b"a second comment" in client_logged_in.get(published.get_absolute_url()).content


def test_signed_in_and_anonymous_readers_get_their_own_header(published, client_logged_in):
    anonymous = Client().get(reverse("posts:home")).content
    signed_in = client_logged_in.get(reverse("posts:home")).content
    assert b"Signed in as" not in anonymous
    assert b"Signed in as" in signed_in
    assert b"Sign up" not in signed_in


def test_only_a_comments_author_gets_its_delete_button(published, make_user, password):
    commenter = published.comments.get().author
    mine, reader = Client(), Client()
    reader.force_login(make_user())
    reader.get(published.get_absolute_url())  # the shared variant, cached first
    mine.force_login(commenter)
    delete = reverse("posts:comment_delete", args=[published.comments.get().pk]).encode()
    assert delete in mine.get(published.get_absolute_url()).content
    assert delete not in reader.get(published.get_absolute_url()).content


def test_a_rejected_comment_shows_its_errors(published, client_logged_in):
    client_logged_in.get(published.get_absolute_url())  # the blank form, cached
    url = reverse("posts:comment_create", args=[published.slug])
    response = client_logged_in.post(url, {"body": ""})
    assert response.status_code == 400
    assert b"field-error" in response.content


def test_a_like_shows_at_once(published, client_logged_in, django_capture_on_commit_callbacks):
    client_logged_in.get(published.get_absolute_url())  # "not liked", cached
    with django_capture_on_commit_callbacks(execute=True):
        client_logged_in.post(reverse("posts:like", args=[published.slug]))
    assert b'aria-pressed="true"' in client_logged_in.get(published.get_absolute_url()).content


def test_the_post_head_is_shared_per_host_and_scheme(published, client, settings):
    """The canonical and Open Graph links are absolute: each host and scheme has its own."""
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    url = published.get_absolute_url()
    client.get(url, HTTP_HOST="one.example")  # cached for one.example over http
    two = client.get(url, HTTP_HOST="two.example").content.decode()
    secure = client.get(url, HTTP_HOST="one.example", secure=True).content.decode()
    assert f'<link rel="canonical" href="http://two.example{url}">' in two
    assert f'<meta property="og:url" content="https://one.example{url}">' in secure
    assert "one.example" not in two


def test_a_cached_post_is_kept_without_its_tags_and_queries_them_when_a_fragment_needs_them(
    make_user, django_assert_num_queries
):
    """Reading the tags' pickled queryset back on every view cost more than the post itself."""
    author = make_user()
    tags = services.tags_from_text("trains, night")
    services.post_create(author=author, title="Tagged", body="b", status="published", tags=tags)
    loaded = selectors.post_get_visible(slug="tagged", viewer=AnonymousUser())
    with django_assert_num_queries(0):
        cached = selectors.post_get_visible(slug="tagged", viewer=AnonymousUser())
        assert cached.author == author  # joined rows are kept
    assert "_prefetched_objects_cache" in loaded.__dict__  # the first render has them
    assert "_prefetched_objects_cache" not in cached.__dict__
    with django_assert_num_queries(1):
        assert sorted(tag.name for tag in cached.tags.all()) == ["night", "trains"]
