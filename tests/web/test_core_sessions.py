"""Sessions: in the shared cache when there is one (never in the per-process cache), and an
unknown session cookie costs no query after the first."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.test import Client
from django.urls import reverse

from cblog.core import pagecache, sessions

pytestmark = pytest.mark.django_db
WEB = Path(__file__).resolve().parents[2] / "web"
JUNK = "0123456789abcdef0123456789abcdef"  # well-formed, never issued


def _engine_for(cache_url: str) -> str:
    """SESSION_ENGINE as the base settings choose it for ``cache_url`` (in a fresh process)."""
    env = {
        **os.environ,
        "CACHE_URL": cache_url,
        "DJANGO_SECRET_KEY": "x",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    code = "from cblog.settings import base; print(base.SESSION_ENGINE)"
    done = subprocess.run(  # noqa: S603 - our own settings module
        [sys.executable, "-c", code], cwd=WEB, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_sessions_go_to_the_shared_cache_only():
    assert _engine_for("redis://127.0.0.1:6379/0") == "cblog.core.sessions.cached_db"
    assert _engine_for("rediss://cache.internal:6379/0") == "cblog.core.sessions.cached_db"
    assert _engine_for("locmemcache://") == "cblog.core.sessions.db"
    assert django_settings.SESSION_ENGINE == "cblog.core.sessions.db"  # tests: per process


@pytest.fixture
def shared_sessions(settings, redis_cache):
    settings.SESSION_ENGINE = "cblog.core.sessions.cached_db"
    return redis_cache


def test_a_session_lives_in_redis_and_a_logout_ends_it_for_every_instance(
    shared_sessions, user, password, django_assert_num_queries
):
    browser = Client()
    login = {"username": user.username, "password": password}
    assert browser.post(reverse("users:login"), login).status_code == 302
    key = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    server = redis.Redis.from_url(shared_sessions.partition("?")[0])
    prefix = shared_sessions.partition("key_prefix=")[2]
    assert server.exists(f"{prefix}:1:{KEY_PREFIX}{key}")
    stolen = Client()  # the same cookie, e.g. the same browser reaching another instance
    stolen.cookies[django_settings.SESSION_COOKIE_NAME] = key
    stolen.get(reverse("users:profile"))
    with django_assert_num_queries(0):  # session and user from Redis
        assert stolen.get(reverse("users:profile")).status_code == 200
    browser.post(reverse("users:logout"))
    assert not server.exists(f"{prefix}:1:{KEY_PREFIX}{key}")
    assert stolen.get(reverse("users:profile")).status_code == 302  # to the login page


@pytest.mark.parametrize("shared", [False, True])
def test_an_unknown_session_cookie_costs_one_query_then_none(
    request, settings, shared, django_assert_num_queries
):
    if shared:
        request.getfixturevalue("shared_sessions")
    settings.PAGE_CACHE_SECONDS = 30
    Client().get(reverse("posts:home"))  # the page is cached
    junk = Client()
    junk.cookies[settings.SESSION_COOKIE_NAME] = JUNK
    with django_assert_num_queries(1):  # the store is asked once ...
        first = junk.get(reverse("posts:home"))
    assert first.cookies[settings.SESSION_COOKIE_NAME].value == ""  # ... and the cookie dropped
    junk.cookies[settings.SESSION_COOKIE_NAME] = JUNK  # a client that keeps sending it
    with django_assert_num_queries(0):
        again = junk.get(reverse("posts:home"))
    assert again.content == first.content
    assert b"Signed in as" not in again.content


def test_a_session_ended_elsewhere_is_remembered_as_missing(client_logged_in, settings):
    key = client_logged_in.cookies[settings.SESSION_COOKIE_NAME].value
    client_logged_in.post(reverse("users:logout"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get(reverse("users:profile")).status_code == 302
    assert sessions._missing.get(key)


def test_a_known_session_is_never_remembered_as_missing(client_logged_in, settings):
    key = client_logged_in.cookies[settings.SESSION_COOKIE_NAME].value
    assert client_logged_in.get(reverse("users:profile")).status_code == 200
    assert client_logged_in.get(reverse("users:profile")).status_code == 200
    assert not sessions._missing.get(key)


def test_an_unanswering_shared_cache_costs_one_timeout_then_sessions_come_from_the_database(
    settings, client_logged_in
):
    """A cache node that stops answering: the first request waits for its timeout, the next
    ones read the session (and the user) from the database without asking it again."""
    timeout = 0.2
    with socket.socket() as silent:  # listens, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        settings.SESSION_ENGINE = "cblog.core.sessions.cached_db"
        settings.CACHES = {
            "default": {
                "BACKEND": "cblog.core.rediscache.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{silent.getsockname()[1]}/0",
                "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
            }
        }
        pagecache.forget()
        client_logged_in.get(reverse("users:profile"))  # the first request meets the timeout
        started = time.monotonic()
        response = client_logged_in.get(reverse("users:profile"))
        elapsed = time.monotonic() - started
    assert response.status_code == 200  # still signed in
    assert elapsed < timeout, f"{elapsed:.2f} s: the cache was asked again"
