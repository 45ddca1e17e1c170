"""Tests: base settings with fast, isolated defaults. DATABASE_URL picks SQLite or MySQL."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_MEDIA_ROOT", tempfile.mkdtemp(prefix="cblog-test-media-"))

from cblog.settings.base import *  # noqa: F403
from cblog.settings.base import STORAGES

PAGE_CACHE_SECONDS = 0  # tests of the page cache turn it on themselves
FRAGMENT_CACHE_SECONDS = 0  # the same for shared fragments
VIEW_FLUSH_SECONDS = 0  # views written during the request; buffered counting is tested apart
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_AUTOREFRESH = True  # serve from the app folders; no collectstatic before tests
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
