"""Fixtures shared by every web test (accounts, posts, core).

- ``make_user(**fields)``: a saved user with unique username/e-mail; its password is the
  ``password`` fixture's value. ``user_factory`` is the same factory under another name.
- ``user``: one saved user; ``client_logged_in``: a fresh test client signed in as ``user``.
- ``make_image(format=..., size=..., name=..., exif=...)``: a real image upload built by Pillow;
  ``image_file``: a small JPEG upload.
- ``media_root``: points MEDIA_ROOT at a per-test temporary folder and returns it.
- ``redis_server``, ``redis_cache_url``, ``redis_cache``: the test Redis (``TEST_REDIS_URL``),
  a ``CACHE_URL`` with a key prefix of the test's own, and Django's cache pointed at it.

Every response any web test gets from the test client is checked: one that sets a cookie must
never be cacheable by a shared cache (``assert_not_shared_with_cookies``).
"""

from __future__ import annotations

import io
import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from PIL import Image

from cblog.core import pagecache, sessions
from cblog.devcache import redis_answers
from cblog.posts import services
from cblog.users.models import User

PASSWORD = "correct-horse-battery-staple"  # passes every configured password validator
_EXIF_ORIENTATION = 0x0112
_EXIF_MAKE = 0x010F

_counter = itertools.count(1)


@pytest.fixture
def password() -> str:
    """The password ``make_user`` gives every user unless told otherwise."""
    return PASSWORD


def assert_not_shared_with_cookies(response: HttpResponse) -> None:
    """A response that sets a cookie is private (or not stored at all), never shared."""
    if not response.cookies and not response.has_header("Set-Cookie"):
        return
    policy = {
        part.strip().split("=")[0].lower() for part in response.get("Cache-Control", "").split(",")
    }
    where = f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']}"
    assert not policy & {"public", "s-maxage"}, f"{where} sets a cookie: {policy}"
    assert policy & {"private", "no-store"}, f"{where} sets a cookie: {policy}"


@pytest.fixture
def not_shared_with_cookies() -> Callable[[HttpResponse], None]:
    """``assert_not_shared_with_cookies`` for tests that check it explicitly."""
    return assert_not_shared_with_cookies


@pytest.fixture(autouse=True)
def _no_shared_response_sets_a_cookie(monkeypatch: pytest.MonkeyPatch) -> None:
    """Check every response the test client returns in any web test."""
    request = Client.request

    def checked(self: Client, **kwargs: Any) -> HttpResponse:
        response = request(self, **kwargs)
        assert_not_shared_with_cookies(response)
        return response

    monkeypatch.setattr(Client, "request", checked)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Every test starts with an empty cache (it remembers views, pages and unknown session
    keys per process)."""
    cache.clear()
    pagecache.forget()
    sessions.forget_missing()
    services.forget_seen_views()
    yield
    cache.clear()
    pagecache.forget()
    sessions.forget_missing()
    services.forget_seen_views()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    """Factory: ``make_user(username="ann", bio="...")``; any field may be overridden."""

    def make(**fields: Any) -> User:
        n = next(_counter)
        fields.setdefault("username", f"user{n}")
        fields.setdefault("email", f"{fields['username']}@example.com")
        password = fields.pop("password", PASSWORD)
        return User.objects.create_user(password=password, **fields)

    return make


@pytest.fixture
def user_factory(make_user: Callable[..., User]) -> Callable[..., User]:
    return make_user


@pytest.fixture
def user(make_user: Callable[..., User]) -> User:
    return make_user(username="ann", first_name="Ann", last_name="Author")


@pytest.fixture
def client_logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def make_image() -> Callable[..., SimpleUploadedFile]:
    """Factory for real image uploads made by Pillow.

    ``make_image(format="PNG", size=(40, 30), name="x.png", exif=True)``; with ``exif`` the JPEG
    carries a camera make and an orientation tag (6: rotate 90° clockwise to display).
    """

    def make(
        *,
        format: str = "JPEG",
        size: tuple[int, int] = (16, 12),
        name: str | None = None,
        exif: bool = False,
        color: str = "steelblue",
    ) -> SimpleUploadedFile:
        image = Image.new("RGB", size, color)
        buffer = io.BytesIO()
        options: dict[str, Any] = {}
        if exif:
            tags = Image.Exif()
            tags[_EXIF_MAKE] = "SecretCam"
            tags[_EXIF_ORIENTATION] = 6
            options["exif"] = tags.tobytes()
        image.save(buffer, format=format, **options)
        extension = {"JPEG": "jpg"}.get(format, format.lower())
        content_type = f"image/{'jpeg' if format == 'JPEG' else format.lower()}"
        return SimpleUploadedFile(
            name or f"photo.{extension}", buffer.getvalue(), content_type=content_type
        )

    return make


@pytest.fixture
def image_file(make_image: Callable[..., SimpleUploadedFile]) -> SimpleUploadedFile:
    return make_image()


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    """A per-test MEDIA_ROOT, so files a test writes (or deletes) are its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def redis_server() -> str:
    """``TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/15``) once it answers.

    Without a Redis server the tests that need one skip with the reason, except in CI
    (``CI=true``, where ``.ci/run`` starts one): there they fail. Tests never flush the
    database; each gets its own key prefix (see ``redis_cache_url``).
    """
    problem = redis_answers(REDIS_URL, timeout=2)
    if problem:
        message = f"no Redis at {REDIS_URL} ({problem}); set TEST_REDIS_URL or start redis-server"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


@pytest.fixture
def redis_cache_url(redis_server: str) -> Iterator[str]:
    """A ``CACHE_URL`` on the test Redis with a key prefix of this test's own, deleted after."""
    prefix = f"cblog-test-{uuid.uuid4().hex[:12]}"
    yield f"{redis_server}?key_prefix={prefix}"
    client = redis.Redis.from_url(redis_server)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def redis_cache(settings: Any, redis_cache_url: str) -> str:
    """Django's default cache is the test Redis (as with ``CACHE_URL=redis://...``)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "cblog.core.rediscache.RedisCache",
            "LOCATION": redis_cache_url.partition("?")[0],
            "KEY_PREFIX": redis_cache_url.partition("key_prefix=")[2],
        }
    }
    return redis_cache_url
