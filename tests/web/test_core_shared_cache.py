"""One cache for every instance: Django's Redis backend behind the page cache.

The two-process test serves the blog from two gunicorn processes on loopback, as two instances
behind the load balancer, sharing one Redis (and one database): a write through one of them is
seen through the other at once. With the per-process cache it is not, which is why the shared
cache exists: the same test run with ``locmemcache://`` finds the other process stale.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from cblog import devcache
from cblog.core import pagecache
from cblog.posts import services
from local.processes import free_port, listening, stop, wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_pages_are_cached_in_redis_and_a_write_empties_them(
    redis_cache, user, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 30
    assert type(caches["default"]).__name__ == "RedisCache"
    services.post_create(author=user, title="In Redis", body="b", status="published")
    first = Client().get(reverse("posts:home")).content
    with django_assert_num_queries(0):
        assert Client().get(reverse("posts:home")).content == first
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(author=user, title="Fresh from Redis", body="b", status="published")
    assert b"Fresh from Redis" in Client().get(reverse("posts:home")).content


@pytest.mark.django_db
def test_an_unreachable_cache_serves_rendered_pages_and_writes_still_work(
    user, settings, caplog, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 30
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    post = services.post_create(author=user, title="Still here", body="b", status="published")
    assert b"Still here" in Client().get(reverse("posts:home")).content
    assert Client().get(post.get_absolute_url()).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(post=post, author=user, body="Written anyway")
    assert b"Written anyway" in Client().get(post.get_absolute_url()).content
    assert "page cache unavailable" in caplog.text


def test_dev_uses_redis_when_it_answers_and_says_so(redis_server, capsys):
    assert devcache.choose_cache_url(redis_server) == redis_server
    assert "cache: shared Redis at" in capsys.readouterr().err


def test_dev_falls_back_to_the_per_process_cache_and_says_so(capsys):
    url = f"redis://:secret@127.0.0.1:{free_port()}/0"
    assert devcache.choose_cache_url(url) == "locmemcache://"
    err = capsys.readouterr().err
    assert "using the per-process cache" in err
    assert "secret" not in err
    assert devcache.choose_cache_url("locmemcache://") == "locmemcache://"


# --- two real server processes ------------------------------------------------------------


def _env(tmp: Path, cache_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return env | {
        "DJANGO_SETTINGS_MODULE": "cblog.settings.local",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "two-process-test-only",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp / "media"),
        "CACHE_URL": cache_url,
        "PAGE_CACHE_SECONDS": "30",
        "PYTHONPATH": str(ROOT / "web"),
    }


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 - our interpreter, our manage.py
        [sys.executable, str(ROOT / "web" / "manage.py"), *args],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


SETUP = """
from cblog.posts import services
from cblog.users.models import User
writer = User.objects.create_user("writer", "writer@example.com", "correct-horse-battery")
services.post_create(author=writer, title="Shared", body="Shared body", status="published")
"""


@pytest.fixture
def two_servers(request, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two gunicorn processes serving one database and the cache ``request.param`` names."""
    env = _env(tmp_path, request.getfixturevalue(request.param))
    _manage(env, "migrate", "--no-input")
    _manage(env, "shell", "-c", SETUP)
    servers, urls = [], []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = (tmp_path / f"server-{name}.log").open("w")
            command = [
                sys.executable, "-m", "gunicorn", "--chdir", str(ROOT / "web"),
                "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2",
                "--preload", "--access-logfile", "-", "cblog.wsgi:application",
            ]  # fmt: skip
            servers.append(
                subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603 - our interpreter, fixed arguments
            )
            urls.append(f"http://127.0.0.1:{port}")
            wait_for(lambda port=port: listening(port), 60, f"gunicorn {name}")
            _anonymous(f"{urls[-1]}/healthz", timeout=60)  # the worker has booted
        yield urls[0], urls[1]
    finally:
        for server in servers:
            stop(server)


@pytest.fixture
def locmem_cache_url() -> str:
    return "locmemcache://"


def _anonymous(url: str, timeout: float = 20) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback http
        return response.read().decode()


def _signed_in_opener(base: str) -> urllib.request.OpenerDirector:
    """A browser-like client of ``base`` signed in as the writer (session and CSRF cookies)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=20).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    form = {"username": "writer", "password": "correct-horse-battery", "csrfmiddlewaretoken": token}
    opener.open(f"{base}/accounts/login/", urllib.parse.urlencode(form).encode(), timeout=20)
    assert any(cookie.name == "sessionid" for cookie in jar), "sign-in failed"
    return opener


def _comment(opener: urllib.request.OpenerDirector, base: str, body: str) -> None:
    page = opener.open(f"{base}/posts/shared/", timeout=20).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    form = urllib.parse.urlencode({"body": body, "csrfmiddlewaretoken": token}).encode()
    with opener.open(f"{base}/posts/shared/comments/", form, timeout=20) as response:
        assert response.status == 200  # after the redirect back to the post


def _stale_for(url: str, fresh: str, limit: float) -> float:
    """Seconds from now until a request to ``url`` is answered with ``fresh`` (polled; the time
    a request is sent, not how long a busy machine takes to render it), or ``limit``."""
    started = time.monotonic()
    while (sent := time.monotonic()) - started < limit:
        if fresh in _anonymous(url):
            return sent - started
        time.sleep(0.05)
    return limit


@pytest.mark.parametrize("two_servers", ["redis_cache_url"], indirect=True)
def test_a_write_through_one_server_is_seen_through_the_other_within_a_second(two_servers):
    a, b = two_servers
    writer = _signed_in_opener(a)
    for base in (a, b):  # both processes hold the post page and the home page
        for path in ("/posts/shared/", "/"):
            _anonymous(base + path)
            assert "Seen everywhere" not in _anonymous(base + path)
    _comment(writer, a, "Seen everywhere")
    assert _stale_for(f"{b}/posts/shared/", "Seen everywhere", limit=3) < 1
    assert "1 comment" in _anonymous(f"{b}/")
    assert "Seen everywhere" in _anonymous(f"{a}/posts/shared/")


@pytest.mark.parametrize("two_servers", ["locmem_cache_url"], indirect=True)
def test_with_a_cache_per_process_the_other_server_stays_stale(two_servers):
    """The defect the shared cache removes (and proof that the test above can fail)."""
    a, b = two_servers
    writer = _signed_in_opener(a)
    _anonymous(f"{b}/posts/shared/")
    _comment(writer, a, "Seen here only")
    assert "Seen here only" in _anonymous(f"{a}/posts/shared/")
    assert _stale_for(f"{b}/posts/shared/", "Seen here only", limit=1.5) == 1.5
    assert pagecache.GENERATION_KEY  # same page cache, other backend


def test_an_unanswering_cache_costs_one_timeout_per_page_not_one_per_fragment(
    client_logged_in, settings
):
    """A cache that accepts connections but never answers (a node going away): after the first
    timeout, the page and its fragments render without asking the cache again for a while."""
    timeout = 0.2
    with socket.socket() as silent:  # listens, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        settings.FRAGMENT_CACHE_SECONDS = 30
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{silent.getsockname()[1]}/0",
                "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
            }
        }
        pagecache.forget()
        client_logged_in.get(reverse("posts:home"))  # the first request meets the timeout
        started = time.monotonic()
        response = client_logged_in.get(reverse("posts:home"))
        elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < timeout, f"{elapsed:.2f} s: the cache was asked again"


def test_the_redis_backend_keeps_one_client_for_every_thread(redis_cache):
    from concurrent.futures import ThreadPoolExecutor

    from cblog.core.rediscache import RedisCache

    backend = caches["default"]
    assert isinstance(backend, RedisCache)
    client = backend._cache.get_client()
    assert backend._cache.get_client("any", write=True) is client

    def round_trip(n: int) -> int:
        backend.set(f"thread-{n}", n)
        return backend.get(f"thread-{n}")

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(round_trip, range(64))) == list(range(64))
    assert backend._cache.get_client() is client
