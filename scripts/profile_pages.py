"""cProfile of cblog page renders through the whole middleware stack (Django's test client).

Points at an existing, seeded database (DATABASE_URL, e.g. after `make seed N=1000`) and
collected static files (BENCH_STATIC_ROOT, see scripts/bench_django.py):

    DATABASE_URL=sqlite:///web/db.sqlite3 BENCH_STATIC_ROOT=/tmp/static \
        uv run python scripts/profile_pages.py \
        --as alice --renders 100 / /posts/bulk-post-500/

Prints, per page, the CPU milliseconds per render and the functions with the most cumulative
time. The page cache is off unless --page-cache is given; --fragments 0 turns the shared
fragment cache off too (a cold render); --queries prints one request's SQL with timings.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

WEB = Path(__file__).resolve().parent.parent / "web"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--as", dest="username", help="sign in as this user first")
    parser.add_argument("--renders", type=int, default=100)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--page-cache", type=int, default=0, help="PAGE_CACHE_SECONDS")
    parser.add_argument("--fragments", type=int, default=None, help="FRAGMENT_CACHE_SECONDS")
    parser.add_argument("--queries", action="store_true", help="print one request's SQL too")
    args = parser.parse_args()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="cblog.settings.base",
        PAGE_CACHE_SECONDS=str(args.page_cache),
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "profile-only"),
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
    )
    if args.fragments is not None:
        os.environ["FRAGMENT_CACHE_SECONDS"] = str(args.fragments)
    sys.path.insert(0, str(WEB))
    import django
    from bench_django import apply_overrides  # STATIC_ROOT from BENCH_STATIC_ROOT

    django.setup()
    apply_overrides()
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    if args.username:
        client.force_login(get_user_model().objects.get(username=args.username))
    for path in args.paths:
        for _ in range(3):  # warm: templates compiled, connections open, caches filled
            if client.get(path).status_code != 200:
                raise SystemExit(f"{path}: not 200")
        if args.queries:
            print_queries(client, path)
        profile = cProfile.Profile()
        started = time.process_time()
        profile.enable()
        for _ in range(args.renders):
            client.get(path)
        profile.disable()
        cpu_ms = (time.process_time() - started) * 1000 / args.renders
        print(f"\n=== {path} ({args.username or 'anonymous'}): {cpu_ms:.2f} ms CPU per request")
        print("    (under the profiler, which roughly doubles it)")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)


def print_queries(client: Any, path: str) -> None:
    """The SQL one request for ``path`` runs, with each statement's time (Django resets
    ``connection.queries`` when a request starts, so an execute wrapper collects them)."""
    from django.db import connection

    log: list[tuple[float, str]] = []

    def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            log.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(spy):
        client.get(path)
    print(f"\n=== {path}: {len(log)} queries")
    for elapsed, sql in log:
        print(f"  {elapsed:6.2f} ms  {sql[:150]}")


if __name__ == "__main__":
    main()
