"""Full-text search in the database's own index, ranked by relevance.

What a reader types is split into words (at most ``MAX_WORDS``); a post matches when it holds
every word, the last letters of each optional (``harb`` finds "harbour": readers type
prefixes, and results appear while they are still typing). Title words weigh more than body
words; ties go to the newer post. The index is FTS5 on SQLite and InnoDB FULLTEXT on
MySQL/MariaDB (migration 0004; the MySQL query lives in ``search_mysql``). At most
``MAX_RESULTS`` posts are returned, the most relevant first, and the result says when more
posts match than it holds.

Cost: a word found in few posts costs the same whatever the number of posts. A word found in
very many: SQLite ranks only the newest ``MAX_RESULTS`` matches (FTS5 walks a word's posts by
id); MySQL looks for it among the newest posts only (see ``search_mysql``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from cblog.posts.models import Post

MAX_WORDS = 8
MAX_RESULTS = 1000
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Results:
    """Ids of matching posts, the most relevant first, and how complete they are."""

    ids: list[int] = field(default_factory=list)
    more: bool = False  # more posts match than ``ids`` holds (it is capped at MAX_RESULTS)
    # Not None: the words are so common that only the newest ``recent`` posts were searched.
    recent: int | None = None


def words(query: str) -> list[str]:
    """The words of ``query``, lower-cased, in order, without repeats (at most ``MAX_WORDS``)."""
    return list(dict.fromkeys(_WORD.findall(query.lower())))[:MAX_WORDS]


def search(query: str) -> Results:
    """The published posts that match ``query``."""
    terms = words(query)
    if not terms:
        return Results()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    published = (Post.Status.PUBLISHED, now)
    if connection.vendor == "mysql":
        from cblog.posts import search_mysql  # here: it imports this module

        return search_mysql.search(terms, published)
    if connection.vendor == "sqlite":
        sql, params = _sqlite(terms, published)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return capped([row[0] for row in cursor.fetchall()])
    return capped(_substring(terms))


def capped(ids: list[int]) -> Results:
    """``ids`` fetched with a limit of ``MAX_RESULTS + 1``: the extra one only says "more"."""
    return Results(ids=ids[:MAX_RESULTS], more=len(ids) > MAX_RESULTS)


def _sqlite(terms: list[str], published: tuple[str, object]) -> tuple[str, list[object]]:
    # Each word a quoted prefix term (quotes: a word is never read as an FTS5 operator).
    match = " ".join(f'"{term}"*' for term in terms)
    # Relevance is computed for the newest MAX_RESULTS + 1 published matches only (the extra
    # one tells that there are more): FTS5 walks a word's posts by id, newest first, so a word
    # found in every post costs the same at 1,000 posts and at 10,000. CROSS JOIN keeps that
    # order: SQLite may otherwise walk the posts by date and look each up in the index (100 ms).
    sql = """
        SELECT p.id FROM posts_post_search JOIN posts_post AS p ON p.id = posts_post_search.rowid
        WHERE posts_post_search MATCH %s
          AND posts_post_search.rowid >= COALESCE((
              SELECT s.rowid FROM posts_post_search AS s
              CROSS JOIN posts_post AS b ON b.id = s.rowid
              WHERE posts_post_search MATCH %s AND b.status = %s AND b.published_at <= %s
              ORDER BY s.rowid DESC LIMIT 1 OFFSET %s), 0)
          AND p.status = %s AND p.published_at <= %s
        ORDER BY bm25(posts_post_search, 4.0, 1.0), p.published_at DESC, p.id DESC
        LIMIT %s
    """
    return sql, [match, match, *published, MAX_RESULTS, *published, MAX_RESULTS + 1]


def _substring(terms: list[str]) -> list[int]:
    """Databases without a supported full-text index: every word as a substring, newest first."""
    posts = Post.objects.published()
    for term in terms:
        posts = posts.filter(Q(title__icontains=term) | Q(body__icontains=term))
    ids = posts.order_by("-published_at", "-id").values_list("pk", flat=True)
    return list(ids[: MAX_RESULTS + 1])
