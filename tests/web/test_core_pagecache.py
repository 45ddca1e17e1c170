"""Anonymous readers get cached pages; writes invalidate them; personal pages are never cached."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from cblog.core import pagecache
from cblog.posts import services
from cblog.posts.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 30
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published(user):
    return services.post_create(author=user, title="Cached", body="b", status="published")


def test_an_anonymous_page_is_served_from_the_cache(published, client, django_assert_num_queries):
    first = client.get(reverse("posts:home"))
    with django_assert_num_queries(0):
        second = client.get(reverse("posts:home"))
    assert second.content == first.content
    assert "Cookie" in second["Vary"]


def test_a_write_invalidates_cached_pages(
    published, user, client, django_capture_on_commit_callbacks
):
    client.get(reverse("posts:home"))
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(author=user, title="Fresh news", body="b", status="published")
    assert b"Fresh news" in client.get(reverse("posts:home")).content


def test_signed_in_readers_never_get_or_fill_the_cache(
    published, client_logged_in, client, django_assert_max_num_queries
):
    client_logged_in.get(reverse("posts:home"))
    with django_assert_max_num_queries(6) as captured:
        client_logged_in.get(reverse("posts:home"))
    assert len(captured) >= 2  # session and user at least: rendered, not cached
    first_anonymous = client.get(reverse("posts:home")).content
    assert b"Signed in as" not in first_anonymous


def test_a_request_with_messages_is_rendered(published, client):
    client.get(reverse("posts:home"))
    client.cookies["messages"] = "pending"
    assert client.get(reverse("posts:home")).status_code == 200
    assert "messages" in client.cookies


def test_cached_detail_pages_still_count_each_new_visitor(published, django_assert_num_queries):
    url = published.get_absolute_url()
    Client().get(url)  # renders and fills the cache
    returning = Client()
    returning.get(url)
    with django_assert_num_queries(0):  # a visitor already counted today costs no query
        returning.get(url)
    Client().get(url)
    published.refresh_from_db()
    assert published.view_count == 3


def test_drafts_are_never_cached(user, client_logged_in, django_assert_max_num_queries):
    draft = services.post_create(author=user, title="Draft", body="b", status="draft")
    client_logged_in.get(draft.get_absolute_url())
    assert Client().get(draft.get_absolute_url()).status_code == 404


def test_a_deleted_post_leaves_the_cache_with_its_transaction(
    published, client, django_capture_on_commit_callbacks
):
    url = published.get_absolute_url()
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.post_delete(post=Post.objects.get(pk=published.pk))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("junk", ["utm_source=news&utm_medium=email", "fbclid=abc123", "gclid=x"])
def test_tracking_parameters_are_served_from_the_cache(
    published, client, junk, django_assert_num_queries
):
    first = client.get(reverse("posts:home"))
    with django_assert_num_queries(0):
        tagged = client.get(f"{reverse('posts:home')}?{junk}")
    assert tagged.content == first.content


def test_parameters_a_page_reads_still_key_the_cache(published, client, settings):
    settings.POSTS_PER_PAGE = 1
    services.post_create(author=published.author, title="Second", body="b", status="published")
    one = client.get(f"{reverse('posts:home')}?page=1&utm_source=x").content
    two = client.get(f"{reverse('posts:home')}?page=2&utm_source=x").content
    assert one != two
    assert b"<span>Page 2</span>" in two


def test_an_unknown_session_cookie_is_served_from_the_cache_and_dropped(
    published, client, django_assert_max_num_queries
):
    first = client.get(reverse("posts:home"))
    client.cookies["sessionid"] = "0123456789abcdefghijklmnopqrstuv"
    with django_assert_max_num_queries(1):  # the session store says it does not know it
        junk = client.get(reverse("posts:home"))
    assert junk.content == first.content
    assert junk.cookies["sessionid"].value == ""  # SessionMiddleware deletes it


def test_a_live_session_is_never_served_a_cached_page(published, client_logged_in, client):
    client.get(reverse("posts:home"))
    assert b"Signed in as" in client_logged_in.get(reverse("posts:home")).content


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("posts:feed_rss", "application/rss+xml"), ("posts:feed_atom", "application/atom+xml")],
)
def test_feeds_are_cached_and_invalidated_like_pages(
    published,
    user,
    client,
    name,
    content_type,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    first = client.get(reverse(name))
    with django_assert_num_queries(0):
        second = client.get(reverse(name))
    assert second.content == first.content
    assert second["Content-Type"].startswith(content_type)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(author=user, title="Feed news", body="b", status="published")
    assert b"Feed news" in client.get(reverse(name)).content


def test_generation_keyed_entries_are_kept_in_process_when_the_cache_is_shared(
    published, client, monkeypatch, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """With a shared cache (CACHE_URL), a page read once is served from this process's copy:
    its key holds the generation, so the copy can never be stale; a write still shows."""
    monkeypatch.setattr(pagecache, "_shared_cache", lambda: True)
    first = client.get(reverse("posts:home"))
    key = pagecache.cache_key(RequestFactory().get(reverse("posts:home")), "list")
    assert cache.get(key) is not None
    cache.delete(key)  # gone from the shared cache (e.g. evicted there)
    with django_assert_num_queries(0):
        assert client.get(reverse("posts:home")).content == first.content
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(author=published.author, title="Shown", body="b", status="published")
    assert b"Shown" in client.get(reverse("posts:home")).content
