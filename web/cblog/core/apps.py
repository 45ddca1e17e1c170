from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting pieces: health probes, error pages, upload validation, site chrome."""

    name = "cblog.core"
    label = "core"
