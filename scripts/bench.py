"""`make bench`: every cblog page the performance targets name, under wrk, each against a
ceiling measured right before it.

For each database (a temporary SQLite file, then a throwaway MariaDB database) and each data
size (1,000 then 10,000 posts; 5 comments, 3 likes and a tag each): serve with gunicorn as the
web image does (web/gunicorn.conf.py: threaded workers, production settings) on loopback, three
times over, and load each page with `wrk -t2 -c16 --latency` right after a short run of the
ceiling (a constant 20 KB page through the same middleware) on the same server:

- page cache and fragments on (production defaults): home and post page from the page cache,
  signed-in home and post page, a first visit to a post (no visitor cookie: a view is counted),
  RSS and Atom, home with tracking parameters and with an unknown session cookie, a category,
  a tag and a search;
- page cache off, fragments on: home and post page as a page-cache miss;
- page cache and fragments off (a cold render): home, category, tag, search and RSS.

The cache is the kind production runs: a shared Redis (Valkey on AWS) when one answers on
127.0.0.1:6379 (database 9, or --cache-url / BENCH_CACHE_URL), emptied before every server
starts; with --cache-url process (or no Redis) each worker keeps its own, as `make dev` does.

Then, at the largest size, signed-in readers on 64 connections for --load-seconds, cycling
through home and a post page. Results: a table and the verdicts on stdout, JSON in
bench-results/ (and README's table with --update-readme). Exits 1 when a target is missed or
a request failed. About 15 minutes on a 2-core machine with the defaults.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import bench_server as server
from bench_load import JUNK_SESSION, RETURNING, Page, load, load_mix
from bench_report import git_commit, table, update_readme, verdicts
from bench_wrk import CONNECTIONS, THREADS

RESULTS = server.ROOT / "bench-results"
READER = "bench-reader"  # signed in; has neither posts nor comments, like most readers
# Creates BENCH_READER and a session for it; writes the session key to BENCH_SESSION_FILE.
_SIGN_IN = """
import os
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
user, _ = get_user_model().objects.get_or_create(username=os.environ["BENCH_READER"])
session = SessionStore()
session.update({SESSION_KEY: str(user.pk), HASH_SESSION_KEY: user.get_session_auth_hash(),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend"})
session.create()
open(os.environ["BENCH_SESSION_FILE"], "w").write(session.session_key)
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4, help="wrk duration per page")
    parser.add_argument("--ceiling-seconds", type=int, default=2, help="ceiling run before each")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured wrk seconds first")
    parser.add_argument("--sizes", default="1000,10000", help="posts, comma-separated")
    parser.add_argument("--load-seconds", type=int, default=60, help="0 skips the load run")
    parser.add_argument("--load-connections", type=int, default=64)
    parser.add_argument(
        "--load-only", action="store_true", help="only the signed-in load run (no page rows)"
    )
    parser.add_argument("--databases", default="sqlite,mysql", help="comma-separated")
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("BENCH_CACHE_URL", server.DEFAULT_CACHE_URL),
        help="the shared cache (redis://...), or 'process' for per-process caches",
    )
    parser.add_argument("--update-readme", action="store_true", help="write README's table")
    parser.add_argument(
        "--mysql-url", default=os.environ.get("BENCH_MYSQL_URL", "mysql://root@127.0.0.1:3306")
    )
    return parser.parse_args(argv)


@contextmanager
def database(kind: str, scratch: Path, mysql_url: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{scratch / 'bench.sqlite3'}"
    elif kind == "mysql":
        with server.mysql_database(mysql_url) as url:
            yield url
    else:
        raise SystemExit(f"unknown database {kind!r}: use sqlite and/or mysql")


def seed(env: dict[str, str], log: Path, posts: int) -> float:
    started = time.monotonic()
    server.manage(env, log, "seed_demo", "--posts", str(posts), "--comments", "5", "--likes", "3")
    return round(time.monotonic() - started, 1)


def sign_in(env: dict[str, str], log: Path, scratch: Path) -> dict[str, str]:
    """A session cookie for READER, as a browser holds it after logging in."""
    key_file = scratch / "session-key"
    extra = {"BENCH_SESSION_FILE": str(key_file), "BENCH_READER": READER}
    server.manage({**env, **extra}, log, "shell", "-c", _SIGN_IN)
    session, csrf = key_file.read_text().strip(), secrets.token_hex(16)
    return {"Cookie": f"sessionid={session}; csrftoken={csrf}; {RETURNING['Cookie']}"}


def pages(posts: int, signed_in: dict[str, str]) -> dict[str, list[Page]]:
    """What each server (by its caching) loads; ``page`` names are bench_report's."""
    detail = f"/posts/bulk-post-{posts // 2}/"
    lists = [
        ("category", "category", "/category/travel/"),
        ("tag", "tag", "/tag/notes/"),
        ("search", "search", "/search/?q=number"),
    ]
    return {
        "cached": [
            Page("home", "home (page cache hit)", "/", RETURNING),
            Page("detail", "post page (page cache hit)", detail, RETURNING),
            Page("signed-home", "signed-in home", "/", signed_in),
            Page("signed-detail", "signed-in post page", detail, signed_in),
            Page("first-visit", "post page, first visit", detail, new_visitor=True),
            Page("rss", "RSS feed", "/feeds/rss/", RETURNING),
            Page("atom", "Atom feed", "/feeds/atom/", RETURNING),
            Page("utm-home", "home ?utm_source=...", "/?utm_source=bench&utm_medium=x", RETURNING),
            Page("junk-session", "home, unknown sessionid", "/", JUNK_SESSION | {}),
            *(Page(p, f"{label} (page cache hit)", path, RETURNING) for p, label, path in lists),
        ],
        "miss": [
            Page("miss-home", "home, page cache miss", "/", RETURNING),
            Page("miss-detail", "post page, page cache miss", detail, RETURNING),
        ],
        "cold": [
            Page("cold-home", "home, no cache", "/", RETURNING),
            *(Page(f"cold-{p}", f"{label}, no cache", path, RETURNING) for p, label, path in lists),
            Page("cold-rss", "RSS feed, no cache", "/feeds/rss/", RETURNING),
        ],
    }


SERVERS = {  # caching of each server: production defaults, no page cache, nothing cached
    "cached": {},
    "miss": {"PAGE_CACHE_SECONDS": "0", "FRAGMENT_CACHE_SECONDS": "30"},
    "cold": {"PAGE_CACHE_SECONDS": "0", "FRAGMENT_CACHE_SECONDS": "0"},
}


def bench_database(
    kind: str, url: str, scratch: Path, log: Path, args: argparse.Namespace
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, float]]:
    """Migrate, then for each size seed, serve and measure; returns rows, load runs, seeding."""
    env = server.bench_env(database_url=url, scratch=scratch, cache_url=args.cache_url)
    server.manage(env, log, "migrate", "--no-input")
    signed_in = sign_in(env, log, scratch)
    rows: list[dict[str, Any]] = []
    load_runs: list[dict[str, Any]] = []
    seeded: dict[int, float] = {}
    sizes = sorted(int(n) for n in args.sizes.split(","))
    for posts in sizes:
        print(f"{kind}: seeding up to {posts} posts ...", flush=True)
        seeded[posts] = seed(env, log, posts)
        for name, caching in SERVERS.items():
            if args.load_only and (name != "cached" or posts != sizes[-1]):
                continue
            server.empty_cache(env)  # no entry outlives its server: each starts cold
            with server.gunicorn({**env, **caching}, log) as app:
                for spec in [] if args.load_only else pages(posts, signed_in)[name]:
                    rows.append(load(app, spec, args, posts=posts, database=kind, server=name))
                if name == "cached" and posts == sizes[-1] and args.load_seconds:
                    paths = ["/", f"/posts/bulk-post-{posts // 2}/"]
                    run = load_mix(app, paths, signed_in, args.load_seconds, args.load_connections)
                    load_runs.append(run | {"database": kind, "posts": posts})
    return rows, load_runs, seeded


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    args.cache_url = server.usable_cache(args.cache_url)
    # SIGTERM unwinds like Ctrl-C, so every `finally` stops what it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log = RESULTS / f"bench-{stamp}.log"
    rows: list[dict[str, Any]] = []
    load_runs: list[dict[str, Any]] = []
    seeding: dict[str, dict[int, float]] = {}
    started, load_before, commit = time.monotonic(), os.getloadavg(), git_commit()
    if load_before[0] > (os.cpu_count() or 1):
        print(
            f"warning: load average {load_before[0]:.1f} on {os.cpu_count()} CPUs; "
            "other work on this machine will depress requests/s (the CPU columns hold)",
            flush=True,
        )
    with tempfile.TemporaryDirectory(prefix="cblog-bench-") as tmp:
        scratch = Path(tmp)
        env = server.bench_env(
            database_url=f"sqlite:///{scratch / 'unused.sqlite3'}", scratch=scratch
        )
        server.run(env, log, str(server.SCRIPTS / "bench_django.py"), "collectstatic", "--no-input")
        for kind in args.databases.split(","):
            with database(kind, scratch, args.mysql_url) as url:
                measured, loaded, seeding[kind] = bench_database(kind, url, scratch, log, args)
                rows += measured
                load_runs += loaded
    sizes = sorted(int(n) for n in args.sizes.split(","))
    checks = verdicts(rows, load_runs, sizes=sizes)
    report = {
        "started_at": stamp,
        "elapsed_s": round(time.monotonic() - started, 1),
        "command": f"wrk -t{THREADS} -c{CONNECTIONS} -d{args.seconds}s --latency <url>",
        "ceiling": f"the same for {args.ceiling_seconds} s right before each page",
        "warmup_s": args.warmup,
        "server": server.describe(args.cache_url),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "commit": commit,  # measured: the code the servers loaded
        "seeding_s": seeding,
        "rows": rows,
        "load": load_runs,
        "targets": checks,
    }
    path = RESULTS / f"bench-{stamp}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\n{report['command']}, {report['ceiling']} ({args.warmup} s warm-up)")
    print(f"{report['server']}\n")
    print(table(rows, load_runs, checks))
    for r in rows:
        if r["app_log_problems"]:
            print(f"  note: {r['database']} {r['label']}: {r['app_log_problems']} WARNING/ERROR")
            print(f"        records in the app log while measured (see {log.name})")
    if args.update_readme:
        update_readme(report)
        print("README.md: Performance table updated")
    print(f"\nResults: {path.relative_to(server.ROOT)} (log: {log.relative_to(server.ROOT)})")
    print(f"Elapsed: {report['elapsed_s'] / 60:.1f} min")
    return 0 if all(c["passed"] for c in checks) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # everything started has been stopped on the way out
        sys.exit("bench interrupted")
