"""Measure search at 1,000 and 10,000 posts: is it flat in data size?

For each database (SQLite in a temporary file; MariaDB/MySQL when ``--mysql-url`` names a
throw-away database, which is dropped and created), seeds 1,000 bulk posts, times a search
page render for each query (median of ``--repeat`` renders, through the test client with the
page cache off), then grows the data to 10,000 posts and times them again. Bulk posts are
"Bulk post number <n>" with one shared body, so "bulk" (and the prefix "bul", and "bulk number")
match every post, the worst case; "sourdough", "sourd" and "night trains" match one showcase
post at both sizes; "number 500" is a common word with a rare one (1 post, then 11).
Matches: how many ids the search returned; "+" when more posts match (capped), "r" when very
common words were looked for among the newest posts only (MySQL).

    uv run --frozen python scripts/measure_search.py [--mysql-url mysql://root@127.0.0.1/x]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pymysql

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["sourdough", "sourd", "night trains", "bulk", "bul", "bulk number", "number 500"]
CHILD = """
import statistics, sys, time
import django
django.setup()
from django.conf import settings
from django.test import Client
from cblog.posts import search
settings.PAGE_CACHE_SECONDS = 0
client = Client()
repeat = int(sys.argv[1])
for query in sys.argv[2:]:
    client.get("/search/", {"q": query})  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get("/search/", {"q": query})
        times.append((time.perf_counter() - started) * 1000)
    assert response.status_code == 200, response.status_code
    found = search.search(query)
    count = f"{len(found.ids)}{'+' if found.more else ''}{'r' if found.recent else ''}"
    print(f"{query}\\t{statistics.median(times):.2f}\\t{count}")
"""


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 - our interpreter and manage.py
        [sys.executable, str(ROOT / "web" / "manage.py"), *args], env=env, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def timings(env: dict[str, str], repeat: int) -> dict[str, tuple[float, str]]:
    out = subprocess.run(  # noqa: S603 - our interpreter, fixed program
        [sys.executable, "-c", CHILD, str(repeat), *QUERIES],
        env=env, check=True, stdout=subprocess.PIPE, text=True,
    ).stdout  # fmt: skip
    rows = [line.split("\t") for line in out.strip().splitlines()]
    return {query: (float(ms), count) for query, ms, count in rows}


def measure(name: str, database_url: str, repeat: int) -> None:
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "cblog.settings.local",
        "DATABASE_URL": database_url,
        "CACHE_URL": "locmemcache://",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "PYTHONPATH": str(ROOT / "web"),
    }
    manage(env, "migrate", "--no-input")
    results = {}
    for posts in (1000, 10000):
        manage(env, "seed_demo", "--posts", str(posts), "--comments", "0", "--likes", "0")
        results[posts] = timings(env, repeat)
    print(f"\n{name}: search page render, median ms (matches)")
    print("query          1,000 posts      10,000 posts     ratio")
    for query in QUERIES:
        (small, n_small), (large, n_large) = results[1000][query], results[10000][query]
        print(f"{query:<14} {small:7.2f} ({n_small:>5})  {large:7.2f} ({n_large:>5})  "
              f"{large / small:5.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mysql-url", help="a throw-away MySQL/MariaDB database (recreated)")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cblog-search-") as folder:
        measure("SQLite (FTS5)", f"sqlite:///{Path(folder) / 'db.sqlite3'}", args.repeat)
    if args.mysql_url:
        url = urlsplit(args.mysql_url)
        name = url.path.lstrip("/")
        conn = pymysql.connect(
            host=url.hostname, port=url.port or 3306, user=url.username or "root",
            password=url.password or "",
        )  # fmt: skip
        with conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cursor.execute(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        conn.close()
        measure("MariaDB/MySQL (InnoDB FULLTEXT)", args.mysql_url, args.repeat)


if __name__ == "__main__":
    main()
