"""gunicorn's entry for `make bench`: cblog's WSGI application with the bench overrides.

Run with ``--pythonpath web,scripts`` and DJANGO_SETTINGS_MODULE=cblog.settings.base.
"""

from __future__ import annotations

from bench_django import apply_overrides
from django.core.wsgi import get_wsgi_application

apply_overrides()
application = get_wsgi_application()
