"""Fixtures shared by every web test (accounts, posts, core).

- ``make_user(**fields)``: a saved user with unique username/e-mail; its password is the
  ``password`` fixture's value. ``user_factory`` is the same factory under another name.
- ``user``: one saved user; ``client_logged_in``: a fresh test client signed in as ``user``.
- ``make_image(format=..., size=..., name=..., exif=...)``: a real image upload built by Pillow;
  ``image_file``: a small JPEG upload.
- ``media_root``: points MEDIA_ROOT at a per-test temporary folder and returns it.

Every response any web test gets from the test client is checked: one that sets a cookie must
never be cacheable by a shared cache (``assert_not_shared_with_cookies``).
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from PIL import Image

from cblog.core import pagecache
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
    """Every test starts with an empty cache (it remembers views and pages per process)."""
    cache.clear()
    pagecache.forget()
    yield
    cache.clear()
    pagecache.forget()


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
