"""Measure search (and, with --lists, list pages and feeds) at 1,000 and 10,000 posts: flat?

For each database (SQLite in temporary files; MariaDB/MySQL when ``--mysql-url`` names a
throw-away database: ``<name>_1000`` and ``<name>_10000`` are dropped and created beside it),
seeds one database with 1,000 bulk posts and another with 10,000, then renders the search page
for each query through the test client (page cache off) in both, in turn, one render each, so
a busy machine slows both sizes alike: the median of ``--repeat`` renders per size, wall time
and this process's CPU time (which holds SQLite's work, not MySQL's).

Bulk posts are "Bulk post number <n>" with one shared body, so "bulk" (and the prefix "bul",
and "bulk number") match every post, the worst case; "sourdough", "sourd" and "night trains"
match one showcase post at both sizes; "bulk sourdough" joins a word in every post to a rare
one (no post has both). Matches: how many ids the search returned; "+" when more posts match
(capped at 1,000), "r" when very common words were looked for among the newest posts only.

``--lists`` measures home, a category, a tag and the feeds instead, rendered cold (page cache
and shared fragments off), with 5 comments, 3 likes and a tag per post as ``make bench`` seeds.

    uv run --frozen python scripts/measure_search.py [--mysql-url mysql://root@127.0.0.1/x]
    uv run --frozen python scripts/measure_search.py --lists --databases mysql --mysql-url ...
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import unquote_plus, urlencode, urlsplit, urlunsplit

import pymysql

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1000, 10000)
QUERIES = ["sourdough", "sourd", "night trains", "bulk", "bul", "bulk number", "bulk sourdough"]
LISTS = ["/", "/category/travel/", "/tag/notes/", "/feeds/rss/", "/feeds/atom/"]
# Reads a path per line from stdin; answers "<wall ms> <cpu ms> <matches>" for one render.
CHILD = """
import sys, time
from urllib.parse import parse_qs, urlsplit
import django
django.setup()
from django.conf import settings
from django.test import Client
from cblog.posts import search
settings.PAGE_CACHE_SECONDS = 0
settings.FRAGMENT_CACHE_SECONDS = int(sys.argv[1])
client = Client()
for line in sys.stdin:
    path = line.rstrip("\\n")
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(path)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert response.status_code == 200, (path, response.status_code)
    count = "-"
    if query := parse_qs(urlsplit(path).query).get("q"):
        found = search.search(query[0])
        count = f"{len(found.ids)}{'+' if found.more else ''}{'r' if found.recent else ''}"
    print(f"{wall * 1000:.3f} {cpu * 1000:.3f} {count}", flush=True)
"""


def django_env(database_url: str) -> dict[str, str]:
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "cblog.settings.local",
        "DATABASE_URL": database_url,
        "CACHE_URL": "locmemcache://",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "PYTHONPATH": str(ROOT / "web"),
    }


def seeded(database_url: str, posts: int, per_post: str) -> dict[str, str]:
    env = django_env(database_url)
    seed = ["seed_demo", "--posts", str(posts), "--comments", per_post, "--likes", per_post]
    for args in (["migrate", "--no-input"], seed):
        subprocess.run(  # noqa: S603 - our interpreter and manage.py
            [sys.executable, str(ROOT / "web" / "manage.py"), *args], env=env, check=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    return env


@contextmanager
def renderer(env: dict[str, str], fragments: int) -> Iterator[subprocess.Popen[str]]:
    child = subprocess.Popen(  # noqa: S603 - our interpreter, fixed program
        [sys.executable, "-c", CHILD, str(fragments)], env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield child
    finally:
        child.stdin.close()
        child.wait(timeout=30)


def render(child: subprocess.Popen[str], path: str) -> tuple[float, float, str]:
    child.stdin.write(path + "\n")
    child.stdin.flush()
    wall, cpu, count = child.stdout.readline().split()
    return float(wall), float(cpu), count


def measure(name: str, urls: dict[int, str], repeat: int, *, lists: bool) -> None:
    if lists:  # as make bench seeds them (3 likes: the demo has three readers)
        per_post, fragments, paths, what = "3", 0, LISTS, "cold render (no page or fragment cache)"
    else:
        per_post, fragments, what = "0", 30, "search page render (page cache off)"
        paths = [f"/search/?{urlencode({'q': query})}" for query in QUERIES]
    envs = {posts: seeded(url, posts, per_post) for posts, url in urls.items()}
    with ExitStack() as stack:
        children = {n: stack.enter_context(renderer(env, fragments)) for n, env in envs.items()}
        rows = []
        for path in paths:
            samples: dict[int, list[tuple[float, float, str]]] = {n: [] for n in SIZES}
            for turn in range(repeat + 2):  # the first two warm up
                for posts, child in children.items():
                    sample = render(child, path)
                    if turn >= 2:
                        samples[posts].append(sample)
            rows.append((unquote_plus(path.removeprefix("/search/?q=")), samples))
    print(f"\n{name}: {what}, median ms, wall / this process's CPU (matches)")
    print(f"{'':<19}{'1,000 posts':>24}{'10,000 posts':>24}   ratio wall / CPU")
    for label, samples in rows:
        cells, medians = [], {}
        for posts in SIZES:
            wall = statistics.median(s[0] for s in samples[posts])
            cpu = statistics.median(s[1] for s in samples[posts])
            medians[posts] = (wall, cpu)
            cells.append(f"{wall:7.2f} / {cpu:6.2f} ({samples[posts][-1][2]:>5})")
        (wall_s, cpu_s), (wall_l, cpu_l) = medians[SIZES[0]], medians[SIZES[1]]
        print(f"{label:<19}{cells[0]:>24}{cells[1]:>24}   {wall_l / wall_s:5.2f} / "
              f"{cpu_l / cpu_s:4.2f}")  # fmt: skip


@contextmanager
def mysql_databases(server_url: str) -> Iterator[dict[int, str]]:
    url = urlsplit(server_url)
    base = url.path.lstrip("/")
    names = {posts: f"{base}_{posts}" for posts in SIZES}
    conn = pymysql.connect(
        host=url.hostname, port=url.port or 3306, user=url.username or "root",
        password=url.password or "",
    )  # fmt: skip
    with conn.cursor() as cursor:
        for name in names.values():
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
            cursor.execute(
                f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
    try:
        yield {posts: urlunsplit(url._replace(path=f"/{name}")) for posts, name in names.items()}
    finally:
        with conn.cursor() as cursor:
            for name in names.values():
                cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mysql-url", help="a throw-away MySQL/MariaDB database name")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--databases", default="sqlite,mysql", help="comma-separated")
    parser.add_argument("--lists", action="store_true", help="list pages and feeds, cold")
    args = parser.parse_args()
    kinds = args.databases.split(",")
    if "sqlite" in kinds:
        with tempfile.TemporaryDirectory(prefix="cblog-search-") as folder:
            urls = {posts: f"sqlite:///{Path(folder) / f'{posts}.sqlite3'}" for posts in SIZES}
            measure("SQLite (FTS5)", urls, args.repeat, lists=args.lists)
    if "mysql" in kinds and args.mysql_url:
        with mysql_databases(args.mysql_url) as urls:
            measure("MariaDB/MySQL (InnoDB FULLTEXT)", urls, args.repeat, lists=args.lists)


if __name__ == "__main__":
    main()
