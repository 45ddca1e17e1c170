"""The bench's only departures from production settings, and a manage.py that applies them.

Settings stay ``cblog.settings.base`` plus environment; the bench swaps in a URLconf with one
extra (ceiling) view and points ``STATIC_ROOT``, which has no environment variable, at a
temporary directory so `collectstatic` never writes into ``web/``.

    python scripts/bench_django.py collectstatic --no-input
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "web"
CEILING_PATH = "/bench/ceiling/"


def apply_overrides() -> None:
    """Must run before Django handles a request or a command."""
    from django.conf import settings

    settings.ROOT_URLCONF = "bench_urls"
    if static_root := os.environ.get("BENCH_STATIC_ROOT"):
        settings.STATIC_ROOT = static_root


if __name__ == "__main__":
    sys.path.insert(0, str(WEB))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cblog.settings.base")
    apply_overrides()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
