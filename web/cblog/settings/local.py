"""Local development: base settings with development defaults. Nothing here reaches production."""

from __future__ import annotations

import os
from pathlib import Path

from cblog.devcache import DEV_CACHE_URL, choose_cache_url

_WEB = Path(__file__).resolve().parent.parent.parent
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_SECRET_KEY", "local-development-only-not-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_WEB / 'db.sqlite3'}")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_SECURE_HSTS_SECONDS", "0")
# A shared cache when one answers (as on AWS), else the per-process one: see cblog.devcache.
os.environ["CACHE_URL"] = choose_cache_url(os.environ.get("CACHE_URL", "") or DEV_CACHE_URL)

from cblog.settings.base import *  # noqa: E402, F403
from cblog.settings.base import STORAGES  # noqa: E402

# Plain HTTP on the loopback address.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# No collectstatic needed: runserver and WhiteNoise find files in the app folders.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
