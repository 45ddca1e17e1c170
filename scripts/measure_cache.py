"""Measure the two shared-cache candidates for the web tier: Redis (Valkey) and the database.

Times what the page cache does per anonymous request, a read of the generation key and a read
of a 20 KB page, and what a miss adds (a write of the page), through Django's own cache
backends: ``RedisCache`` against ``--redis-url`` and ``DatabaseCache`` in a table of
``--mysql-url`` (created and dropped here). Prints the median and p99 of each in ms.

    uv run --frozen python scripts/measure_cache.py --redis-url redis://127.0.0.1:6379/13 \
        --mysql-url mysql://root@127.0.0.1:3306/cblog_cache
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = b"x" * 20_000


def timed(operation, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        operation()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--mysql-url", required=True)
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    os.environ |= {
        "DJANGO_SETTINGS_MODULE": "cblog.settings.local",
        "DATABASE_URL": args.mysql_url,
        "CACHE_URL": "locmemcache://",
        "DJANGO_DEBUG": "false",
    }
    sys.path.insert(0, str(ROOT / "web"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import caches
    from django.core.management import call_command

    settings.CACHES = {
        "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                  "LOCATION": args.redis_url, "KEY_PREFIX": "measure"},
        "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                     "LOCATION": "measure_cache_table"},
    }  # fmt: skip
    call_command("createcachetable", "measure_cache_table", verbosity=0)
    print(f"{'backend':<10} {'operation':<28} {'median ms':>10} {'p99 ms':>8}")
    try:
        for name in ("redis", "database"):
            cache = caches[name]
            cache.set("generation", 1, None)
            cache.set("page", PAGE, 30)
            rows = {
                "get generation": lambda c=cache: c.get("generation"),
                "get 20 KB page (hit)": lambda c=cache: c.get("page"),
                "set 20 KB page (miss)": lambda c=cache: c.set("page", PAGE, 30),
                "incr generation (write)": lambda c=cache: c.incr("generation"),
            }
            for label, operation in rows.items():
                median, p99 = timed(operation, args.repeat)
                print(f"{name:<10} {label:<28} {median:>10.3f} {p99:>8.3f}")
            cache.delete_many(["generation", "page"])
    finally:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS measure_cache_table")


if __name__ == "__main__":
    main()
