"""`make bench`: cblog's home and detail pages under wrk, against a constant-page ceiling.

For each database (a temporary SQLite file, then a throwaway MariaDB database): migrate, seed
1,000 posts (5 comments, 3 likes each), serve with gunicorn as the web image does
(web/gunicorn.conf.py: threaded workers, production settings) on loopback, and load the
ceiling, home and one detail page for --seconds each with `wrk -t2 -c16 --latency`; home and
detail again with sync workers, to show that threads cost nothing and keep connections alive;
then seed up to 10,000 posts and load home again. Detail is measured
as a returning visitor (the cblog_visitor cookie, so no new view row per request) and, for
information, as a new visitor; home and detail are measured again with the anonymous page cache
off (PAGE_CACHE_SECONDS=0), for information too. Results: a table on stdout and JSON in
bench-results/. Exits 1 when a target is missed or a request failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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
from bench_django import CEILING_PATH
from bench_load import load
from bench_report import add_ratios, git_commit, table, verdicts
from bench_wrk import CONNECTIONS, THREADS

RESULTS = server.ROOT / "bench-results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per page")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured wrk seconds first")
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--large", type=int, default=10_000, help="posts for the scale run")
    parser.add_argument("--databases", default="sqlite,mysql", help="comma-separated")
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


def bench_database(
    kind: str, url: str, scratch: Path, log: Path, args: argparse.Namespace
) -> tuple[list[dict[str, Any]], dict[int, float]]:
    """Migrate, seed, serve and measure one database; returns the rows and seeding times."""
    env = server.bench_env(database_url=url, scratch=scratch)
    server.manage(env, log, "migrate", "--no-input")
    print(f"{kind}: seeding {args.posts} posts ...", flush=True)
    seeded = {args.posts: seed(env, log, args.posts)}
    detail = f"/posts/bulk-post-{args.posts // 2}/"
    rows: list[dict[str, Any]] = []
    # The same pages with the anonymous page cache off (information: the cost of a render).
    rendered = {**env, "PAGE_CACHE_SECONDS": "0"}
    # Home and detail also with sync workers, each right after its threaded run (a server of
    # each kind is up, the idle one costs nothing): threads must cost nothing on the pages.
    with server.gunicorn(env, log) as app, server.gunicorn(env, log, sync=True) as sync_app:
        pages = [
            ("ceiling", "ceiling (~20 KB const)", CEILING_PATH, {}),
            ("home", "home", "/", {}),
            ("detail", "detail (returning)", detail, {"visitor": "returning"}),
            ("detail-new", "detail (new visitor)", detail, {"visitor": "new"}),
        ]
        for page, label, path, extra in pages:
            rows.append(load(app, page, label, path, args, posts=args.posts, **extra))
            if page in ("home", "detail"):
                label = f"{label}, sync"
                rows.append(
                    load(sync_app, f"{page}-sync", label, path, args, posts=args.posts, **extra)
                )
    with server.gunicorn(rendered, log) as app:
        rows.append(load(app, "home-rendered", "home (no page cache)", "/", args, posts=args.posts))
        rows.append(
            load(
                app,
                "detail-rendered",
                "detail (no page cache)",
                detail,
                args,
                posts=args.posts,
                visitor="returning",
            )
        )
    if args.large > args.posts:
        print(f"{kind}: seeding up to {args.large} posts ...", flush=True)
        seeded[args.large] = seed(env, log, args.large)
        label = f"home @ {args.large}"
        with server.gunicorn(env, log) as app:
            rows.append(load(app, f"home@{args.large}", label, "/", args, posts=args.large))
        with server.gunicorn(rendered, log) as app:
            label = f"home @ {args.large} (no page cache)"
            rows.append(
                load(app, f"home-rendered@{args.large}", label, "/", args, posts=args.large)
            )
    for row in rows:
        row["database"] = kind
    return rows, seeded


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    # SIGTERM unwinds like Ctrl-C, so every `finally` stops what it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    log = RESULTS / f"bench-{stamp}.log"
    rows: list[dict[str, Any]] = []
    seeding: dict[str, dict[int, float]] = {}
    started, load_before = time.monotonic(), os.getloadavg()
    if load_before[0] > (os.cpu_count() or 1):
        print(
            f"warning: load average {load_before[0]:.1f} on {os.cpu_count()} CPUs; "
            "other work on this machine will depress and scatter the figures",
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
                measured, seeding[kind] = bench_database(kind, url, scratch, log, args)
                rows += measured
    add_ratios(rows)
    checks = verdicts(rows, posts=args.posts, large=args.large)
    report = {
        "started_at": stamp,
        "elapsed_s": round(time.monotonic() - started, 1),
        "command": f"wrk -t{THREADS} -c{CONNECTIONS} -d{args.seconds}s --latency <url>",
        "warmup_s": args.warmup,
        "server": server.describe(),
        "detail_visitor": "returning: Cookie cblog_visitor=<32 hex>; 'detail-new' sends none",
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "commit": git_commit(),
        "seeding_s": seeding,
        "rows": rows,
        "targets": checks,
    }
    path = RESULTS / f"bench-{stamp}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    text = table(rows, checks)
    print(f"\n{report['command']} ({args.warmup} s warm-up); {report['server']}")
    print(f"detail as a returning visitor ({report['detail_visitor']})\n")
    print(text)
    for r in rows:
        if r["app_log_problems"]:
            print(f"  note: {r['database']} {r['label']}: {r['app_log_problems']} WARNING/ERROR")
            print(f"        records in the app log while measured (see {log.name})")
    print(f"\nResults: {path.relative_to(server.ROOT)} (log: {log.relative_to(server.ROOT)})")
    return 0 if all(c["passed"] for c in checks) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # everything started has been stopped on the way out
        sys.exit("bench interrupted")
