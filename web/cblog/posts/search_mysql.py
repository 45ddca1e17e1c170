"""Search on MySQL/MariaDB: InnoDB FULLTEXT, and the newest posts for very common words.

InnoDB answers a full-text query by reading the whole posting list of each word before it
ranks, joins and sorts, whatever the LIMIT: a word found in every post cost 25 ms at 10,000
posts on MariaDB (4 to 6 ms at 1,000), growing with the number of posts. So each search
first looks at the newest ``PROBE`` published posts (a bounded read of the (status,
published_at) index and those rows):

- when at least ``COMMON`` of them hold every word, the words are very common: they are looked
  for among the newest ``RECENT`` posts only, by regular expression (the same rule as the index:
  each word starts a word of the title or body, case and accents ignored), title matches first,
  then the newest. The page says so ("N of the latest 1,000 posts match"). This reads the text
  of 1,000 posts at most, however many there are;
- otherwise the full-text index answers, its required words rarest first (in the probe): InnoDB
  intersects each word's postings with what the words before it left, so a rare word first
  keeps a common one cheap (0.2 ms instead of 4.5 ms for "number 9999" at 10,000 posts).

A word frequent in old posts but rare in the newest ones still costs its full posting list.
"""

from __future__ import annotations

import re
import unicodedata
from operator import itemgetter

from django.db import connection

from cblog.posts import search as common

PROBE = 100
COMMON = 25
RECENT = 1000
# InnoDB does not index words shorter than innodb_ft_min_token_size (3 by default, also on RDS):
# such a word cannot be required, but still finds longer words that start with it.
MIN_WORD = 3
_first = itemgetter(0)
_NEWEST = """
    SELECT id FROM posts_post WHERE status = %s AND published_at <= %s
    ORDER BY published_at DESC, id DESC LIMIT %s
"""


def search(terms: list[str], published: tuple[str, object]) -> common.Results:
    """The ``published`` (status, now) posts holding every term: see the module's docstring."""
    patterns = [pattern(term) for term in terms]
    with connection.cursor() as cursor:
        probed, every, *each = _probe(cursor, patterns, published)
        if every >= COMMON:
            return _recent(cursor, patterns, published, probed=probed)
        # Ties keep the reader's order (sorted is stable).
        rarest_first = [term for _, term in sorted(zip(each, terms, strict=True), key=_first)]
        sql, params = fulltext(rarest_first, published)
        cursor.execute(sql, params)
        return common.capped([row[0] for row in cursor.fetchall()])


def fulltext(terms: list[str], published: tuple[str, object]) -> tuple[str, list[object]]:
    """The InnoDB query: ``terms`` in this order, at most ``MAX_RESULTS + 1`` ids (see
    ``search.capped``)."""
    required = any(len(term) >= MIN_WORD for term in terms)
    against = " ".join(
        f"{'+' if required and len(term) >= MIN_WORD else ''}{term}*" for term in terms
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
    return sql, [against, *published, against, against, common.MAX_RESULTS + 1]


def _probe(cursor, patterns: list[str], published: tuple[str, object]) -> list[int]:
    """Among the newest PROBE posts: how many there are, how many hold every word, then how
    many hold each word."""
    each = [_holds([pattern]) for pattern in patterns]
    every = _holds(patterns)
    sums = ", ".join(f"COALESCE(SUM({sql}), 0)" for sql, _ in [every, *each])
    sql = f"""
        SELECT COUNT(*), {sums} FROM ({_NEWEST}) AS newest JOIN posts_post AS p USING (id)
    """  # noqa: S608 - the SQL is ours; the words are parameters
    params = [param for _, params in [every, *each] for param in params]
    cursor.execute(sql, [*params, *published, PROBE])
    return [int(n) for n in cursor.fetchone()]


def _recent(
    cursor, patterns: list[str], published: tuple[str, object], *, probed: int
) -> common.Results:
    """Very common words: the newest RECENT posts that hold them all, title matches first."""
    every, params = _holds(patterns)
    in_title = " + ".join("(p.title REGEXP %s)" for _ in patterns)
    sql = f"""
        SELECT p.id FROM ({_NEWEST}) AS newest JOIN posts_post AS p USING (id)
        WHERE {every}
        ORDER BY {in_title} DESC, p.published_at DESC, p.id DESC
    """  # noqa: S608 - the SQL is ours; the words are parameters
    cursor.execute(sql, [*published, RECENT, *params, *patterns])
    ids = [row[0] for row in cursor.fetchall()][: common.MAX_RESULTS]
    searched = probed
    if probed >= PROBE:  # more posts than the probe saw: are there more than RECENT?
        newest = f"SELECT COUNT(*) FROM ({_NEWEST}) AS newest"  # noqa: S608 - constant SQL
        cursor.execute(newest, [*published, RECENT + 1])
        searched = cursor.fetchone()[0]
    return common.Results(ids=ids, recent=RECENT if searched > RECENT else None)


def _holds(patterns: list[str]) -> tuple[str, list[str]]:
    """SQL true for a post ``p`` whose title or body holds every pattern, and its parameters."""
    sql = " AND ".join("(p.title REGEXP %s OR p.body REGEXP %s)" for _ in patterns)
    return f"({sql})", [pattern for pattern in patterns for _ in ("title", "body")]


def pattern(term: str) -> str:
    """A regular expression for a word that starts with ``term``, case and accents ignored
    (as the full-text index reads words under the utf8mb4_unicode_ci collation)."""
    return r"(?i)\b" + "".join(_FOLDS.get(char, re.escape(char)) for char in _fold(term))


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _folds() -> dict[str, str]:
    """Each unaccented Latin letter -> a character class of it and its accented forms."""
    classes: dict[str, set[str]] = {}
    for code in range(0xC0, 0x250):
        char = chr(code).lower()
        base = _fold(char)
        if len(char) == 1 and len(base) == 1 and "a" <= base <= "z" and base != char:
            classes.setdefault(base, {base}).add(char)
    return {base: f"[{''.join(sorted(chars))}]" for base, chars in classes.items()}


_FOLDS = _folds()
