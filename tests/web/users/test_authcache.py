"""The signed-in user comes from the shared cache, and is out at once when deactivated, deleted
or when their password changes; with the per-process cache it comes from the database."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from cblog.posts import services
from cblog.users import authcache
from local.processes import free_port

pytestmark = pytest.mark.django_db
SIGNED_IN = b"Signed in as"


@pytest.fixture
def shared(settings, redis_cache):
    """Production with CACHE_URL: sessions and users in Redis, fragments on."""
    settings.SESSION_ENGINE = "cblog.core.sessions.cached_db"
    settings.FRAGMENT_CACHE_SECONDS = 30
    return redis_cache


@pytest.fixture
def published(make_user):
    post = services.post_create(author=make_user(), title="Shared", body="b", status="published")
    services.comment_create(post=post, author=make_user(), body="a first comment")
    return post


def _signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.mark.parametrize("page", ["home", "post"])
def test_a_signed_in_page_from_fragments_costs_no_query(
    shared, published, user, page, django_assert_num_queries
):
    url = reverse("posts:home") if page == "home" else published.get_absolute_url()
    browser = _signed_in(user)
    browser.get(url)
    with django_assert_num_queries(0):  # session, user and fragments all from Redis
        response = browser.get(url)
    assert SIGNED_IN in response.content
    assert user.username.encode() in response.content


def test_with_the_per_process_cache_the_user_is_read_from_the_database(
    settings, published, user, django_assert_num_queries
):
    settings.FRAGMENT_CACHE_SECONDS = 30
    browser = _signed_in(user)
    browser.get(reverse("posts:home"))
    with django_assert_num_queries(2):  # session and user: no copy another worker cannot reach
        assert SIGNED_IN in browser.get(reverse("posts:home")).content


def test_a_deactivated_user_is_out_at_once(
    shared, published, user, django_capture_on_commit_callbacks
):
    browser = _signed_in(user)
    assert SIGNED_IN in browser.get(reverse("posts:home")).content  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        user.is_active = False
        user.save()
    assert SIGNED_IN not in browser.get(reverse("posts:home")).content
    assert browser.get(reverse("users:profile")).status_code == 302


def test_a_deleted_user_is_out_at_once(shared, published, user, django_capture_on_commit_callbacks):
    browser = _signed_in(user)
    assert SIGNED_IN in browser.get(reverse("posts:home")).content
    with django_capture_on_commit_callbacks(execute=True):
        user.delete()
    assert SIGNED_IN not in browser.get(reverse("posts:home")).content


def test_a_password_change_signs_out_every_other_session_at_once(
    shared, published, user, password, django_capture_on_commit_callbacks
):
    here, elsewhere = _signed_in(user), _signed_in(user)
    for browser in (here, elsewhere):
        assert SIGNED_IN in browser.get(reverse("posts:home")).content  # cached for both
    change = {"old_password": password, "new_password1": "n3w-Pa55word!x", "new_password2": ""}
    change["new_password2"] = change["new_password1"]
    with django_capture_on_commit_callbacks(execute=True):
        assert here.post(reverse("users:password_change"), change).status_code == 302
    assert SIGNED_IN in here.get(reverse("posts:home")).content  # the session that changed it
    assert SIGNED_IN not in elsewhere.get(reverse("posts:home")).content


def test_a_profile_edit_shows_at_once(shared, published, user, django_capture_on_commit_callbacks):
    browser = _signed_in(user)
    browser.get(reverse("users:profile"))
    with django_capture_on_commit_callbacks(execute=True):
        user.first_name = "Renamed"
        user.save()
    assert b'value="Renamed"' in browser.get(reverse("users:profile")).content


def test_a_copy_loaded_before_a_write_is_never_used_after_it(
    shared, user, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """A request that read the row just before a write stores what it read; the write's new
    version makes that copy unusable, so the next request reads the row again."""
    backend = ModelBackend()
    version_key, entry_key = authcache._keys(user.pk)
    authcache.cached_get_user(backend, user.pk)  # sets a version and the entry
    stale_version = cache.get(version_key)
    with django_capture_on_commit_callbacks(execute=True):
        user.is_active = False
        user.save()
    cache.set(entry_key, (stale_version, user), 60)  # the racing request's late store
    with django_assert_num_queries(1):
        assert authcache.cached_get_user(backend, user.pk) is None


def test_an_unreachable_cache_reads_the_user_from_the_database(settings, user, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    browser = _signed_in(user)
    assert browser.get(reverse("users:profile")).status_code == 200
    assert "reading the user from the database" in caplog.text
