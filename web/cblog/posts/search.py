"""Full-text search in the database's own index, ranked by relevance.

What a reader types is split into words (at most ``MAX_WORDS``); a post matches when it holds
every word, the last letters of each optional (``harb`` finds "harbour": readers type
prefixes, and results appear while they are still typing). Title words weigh more than body
words; ties go to the newer post. The index is InnoDB FULLTEXT on MySQL/MariaDB and FTS5 on
SQLite (migration 0003). At most ``MAX_RESULTS`` posts are returned, the most relevant first.

Cost: a word found in few posts costs the same whatever the number of posts. A word found in
very many: SQLite ranks only the newest ``MAX_RESULTS`` matches (flat); InnoDB computes its
full match list first (about 10 µs per matching post on the development machine).
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from cblog.posts.models import Post

MAX_WORDS = 8
MAX_RESULTS = 1000
# InnoDB does not index words shorter than innodb_ft_min_token_size (3 by default, also on RDS):
# such a word cannot be required, but still finds longer words that start with it.
MYSQL_MIN_WORD = 3
_WORD = re.compile(r"\w+")


def words(query: str) -> list[str]:
    """The words of ``query``, lower-cased, in order, without repeats (at most ``MAX_WORDS``)."""
    return list(dict.fromkeys(_WORD.findall(query.lower())))[:MAX_WORDS]


def ranked_ids(query: str) -> list[int]:
    """Ids of the published posts that match ``query``, the most relevant first."""
    terms = words(query)
    if not terms:
        return []
    build = {"sqlite": _sqlite, "mysql": _mysql}.get(connection.vendor)
    if build is None:
        return _substring(terms)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql, params = build(terms, published=(Post.Status.PUBLISHED, now))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, MAX_RESULTS])
        return [row[0] for row in cursor.fetchall()]


def _sqlite(terms: list[str], published: tuple[str, object]) -> tuple[str, list[object]]:
    # Each word a quoted prefix term (quotes: a word is never read as an FTS5 operator).
    match = " ".join(f'"{term}"*' for term in terms)
    # Relevance is computed for the newest MAX_RESULTS matches only: FTS5 walks a word's posts
    # by id, so a word found in every post costs the same at 1,000 posts and at 10,000.
    sql = """
        SELECT p.id FROM posts_post_search JOIN posts_post AS p ON p.id = posts_post_search.rowid
        WHERE posts_post_search MATCH %s
          AND posts_post_search.rowid >= COALESCE((
              SELECT rowid FROM posts_post_search WHERE posts_post_search MATCH %s
              ORDER BY rowid DESC LIMIT 1 OFFSET %s), 0)
          AND p.status = %s AND p.published_at <= %s
        ORDER BY bm25(posts_post_search, 4.0, 1.0), p.published_at DESC, p.id DESC
        LIMIT %s
    """
    return sql, [match, match, MAX_RESULTS - 1, *published]


def _mysql(terms: list[str], published: tuple[str, object]) -> tuple[str, list[object]]:
    required = any(len(term) >= MYSQL_MIN_WORD for term in terms)
    against = " ".join(
        f"{'+' if required and len(term) >= MYSQL_MIN_WORD else ''}{term}*" for term in terms
    )
    sql = """
        SELECT id FROM posts_post
        WHERE MATCH (title, body) AGAINST (%s IN BOOLEAN MODE)
          AND status = %s AND published_at <= %s
        ORDER BY 4 * MATCH (title) AGAINST (%s IN BOOLEAN MODE)
                 + MATCH (title, body) AGAINST (%s IN BOOLEAN MODE) DESC,
                 published_at DESC, id DESC
        LIMIT %s
    """
    return sql, [against, *published, against, against]


def _substring(terms: list[str]) -> list[int]:
    """Databases without a supported full-text index: every word as a substring, newest first."""
    posts = Post.objects.published()
    for term in terms:
        posts = posts.filter(Q(title__icontains=term) | Q(body__icontains=term))
    return list(posts.order_by("-published_at", "-id").values_list("pk", flat=True)[:MAX_RESULTS])
