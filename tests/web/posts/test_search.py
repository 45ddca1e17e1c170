"""Search: the database's full-text index (FTS5 on SQLite, InnoDB FULLTEXT on MySQL/MariaDB),
ranked by relevance, matching words and prefixes as readers type them.

Transactional tests: InnoDB shows rows to a full-text search only once they are committed.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cblog.posts import search, search_mysql, services
from cblog.posts.models import Post

pytestmark = pytest.mark.django_db(transaction=True)


def titles(client, query: str) -> list[str]:
    response = client.get(reverse("posts:search"), {"q": query})
    assert response.status_code == 200
    return [post.title for post in response.context["page_obj"]]


def test_search_matches_every_word_in_title_or_body(make_post, client):
    make_post(title="Mountain hiking", body="boots")
    make_post(title="Sourdough", body="flour and water in the mountain hut")
    make_post(title="Unrelated", body="nothing")
    assert set(titles(client, "mountain")) == {"Mountain hiking", "Sourdough"}
    assert titles(client, "mountain boots") == ["Mountain hiking"]
    assert titles(client, "MOUNTAIN, boots!") == ["Mountain hiking"]
    assert not client.get(reverse("posts:search")).context["page_obj"].object_list


def test_search_matches_prefixes_as_readers_type(make_post, client):
    make_post(title="Harbour lights", body="Boats at night")
    make_post(title="Hare and hounds", body="a run in the fields")
    assert titles(client, "harb") == ["Harbour lights"]
    assert set(titles(client, "har")) == {"Harbour lights", "Hare and hounds"}
    assert titles(client, "harbour nig") == ["Harbour lights"]


def test_a_title_match_ranks_above_a_body_match(make_post, client):
    make_post(title="Notes from the coast", body="Lighthouses, again.")
    make_post(title="Lighthouses of Brittany", body="Granite towers.")
    make_post(title="Old mills", body="Lighthouses? None here; windmills.")
    found = titles(client, "lighthouses")
    assert found[0] == "Lighthouses of Brittany"
    assert set(found[1:]) == {"Notes from the coast", "Old mills"}


def test_accents_case_and_common_words_are_found(make_post, client):
    make_post(title="Cafés of Paris", body="The best café au lait")
    make_post(title="Walking", body="All about the Alps")
    assert titles(client, "cafe") == ["Cafés of Paris"]
    assert titles(client, "CAFÉ") == ["Cafés of Paris"]
    assert titles(client, "about the") == ["Walking"]  # stopwords elsewhere


def test_short_words_narrow_nothing_but_do_not_empty_the_results(make_post, client):
    make_post(title="Databases", body="a db thing")
    assert titles(client, "db thing") == ["Databases"]


def test_only_published_posts_are_found(make_post, user, client, client_logged_in, future):
    make_post(author=user, title="Secret draft", body="hidden", status=Post.Status.DRAFT)
    make_post(author=user, title="Scheduled secret", body="hidden", published_at=future)
    make_post(title="Public secret", body="hidden")
    assert titles(client, "secret") == ["Public secret"]
    assert titles(client_logged_in, "secret") == ["Public secret"]  # even for their author


def test_the_index_follows_edits_and_deletes(make_post, client):
    post = make_post(title="Orchard blossoms", body="apples")
    services.post_update(
        post=post, title="Vineyard harvest", body="grapes", category=None, tags=[],
        status=Post.Status.PUBLISHED,
    )  # fmt: skip
    assert titles(client, "orchard") == []
    assert titles(client, "vineyard grapes") == ["Vineyard harvest"]
    services.post_delete(post=post)
    assert titles(client, "vineyard") == []


@pytest.mark.parametrize(
    "query", ['"unbalanced', "a* OR b", "NEAR(x y)", "-minus +plus", "title:x", "(", "'; --"]
)
def test_search_syntax_in_a_query_is_read_as_words(make_post, client, query):
    make_post(title="Plus and minus", body="x y unbalanced")
    assert client.get(reverse("posts:search"), {"q": query}).status_code == 200


def test_results_are_paginated_with_a_count(make_post, client, settings):
    for n in range(12):
        make_post(title=f"Tide table {n}", body="water")
    page = client.get(reverse("posts:search"), {"q": "tide", "page": 2}).context["page_obj"]
    assert page.paginator.count == 12
    assert len(page.object_list) == 12 - settings.POSTS_PER_PAGE
    context = client.get(reverse("posts:search"), {"q": "tide"}).context
    assert context["search_query"] == "tide"
    assert context["page_title"] == "Search results for “tide”"


def test_the_query_reads_the_full_text_index(make_post):
    """The plan, not a timing: the database reads the index, never every post."""
    make_post(title="Indexed", body="plan")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    build = search._sqlite if connection.vendor == "sqlite" else search_mysql.fulltext
    sql, params = build(["indexed"], published=(Post.Status.PUBLISHED, now))
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN QUERY PLAN {sql}" if connection.vendor == "sqlite" else f"EXPLAIN {sql}",
            params,
        )
        plan = " ".join(str(row) for row in cursor.fetchall())
    if connection.vendor == "sqlite":
        assert "VIRTUAL TABLE INDEX" in plan
        assert "SEARCH p USING INTEGER PRIMARY KEY" in plan  # posts by id, no scan
        assert "SCAN s VIRTUAL TABLE" in plan  # the bound walks the index, not the posts
    else:
        assert "fulltext" in plan


def test_more_matches_than_the_cap_are_announced(make_post, client, monkeypatch):
    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    for n in range(4):
        make_post(title=f"Heron {n}", body="wading")
    response = client.get(reverse("posts:search"), {"q": "heron"})
    assert len(response.context["page_obj"].object_list) == 3
    assert "More than 3 posts match “heron”" in response.text
    make_post(title="Egret", body="wading")
    monkeypatch.setattr(search, "MAX_RESULTS", 10)
    assert "5 posts match “wading”." in client.get(reverse("posts:search"), {"q": "wading"}).text


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the bound is SQLite's (FTS5)")
def test_sqlite_ranks_only_the_newest_matches_of_a_common_word(make_post, client, monkeypatch):
    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    make_post(title="Kestrel", body="an old post, the word in its title")
    for n in range(4):
        make_post(title=f"Newer {n}", body="a kestrel in the body")
    make_post(title="Kestrel draft", body="kestrel", status=Post.Status.DRAFT)
    assert titles(client, "kestrel") == ["Newer 3", "Newer 2", "Newer 1"]


mysql_only = pytest.mark.skipif(connection.vendor != "mysql", reason="MySQL's common-word path")


@pytest.fixture
def small_window(monkeypatch):
    """The common-word thresholds at a test's scale: a word in 2 of the newest 4 posts is very
    common, and is then looked for among the newest 3 posts."""
    monkeypatch.setattr(search_mysql, "PROBE", 4)
    monkeypatch.setattr(search_mysql, "COMMON", 2)
    monkeypatch.setattr(search_mysql, "RECENT", 3)


@mysql_only
def test_very_common_words_are_looked_for_among_the_newest_posts(make_post, client, small_window):
    make_post(title="Osprey", body="the oldest osprey post is not searched")
    make_post(title="Marsh notes", body="an osprey over the reeds")
    make_post(title="Estuary", body="no bird here")
    make_post(title="The osprey returns", body="fish")
    make_post(title="Reed warblers", body="OSPREYS, too")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("posts:search"), {"q": "osp"})
    assert titles(client, "osp") == ["The osprey returns", "Reed warblers"]  # title first
    assert "2 of the latest 3 posts match “osp”" in response.text
    assert not any("MATCH" in query["sql"] for query in queries.captured_queries)


@mysql_only
def test_common_words_match_as_the_index_does(make_post, client, small_window):
    make_post(title="Cafés", body="au lait")
    make_post(title="Nebula", body="café stars")
    make_post(title="Bulletin", body="a CAFE by the quay")
    assert set(titles(client, "cafe")) == {"Cafés", "Nebula", "Bulletin"}  # accents, case
    assert titles(client, "CAFÉ bul") == ["Bulletin"]  # prefixes; "nebula" holds no word "bul…"
    assert titles(client, "café stars") == ["Nebula"]
    assert "3 posts match “cafe”." in client.get(reverse("posts:search"), {"q": "cafe"}).text


@mysql_only
def test_the_rarest_word_goes_first_to_the_full_text_index(make_post, client):
    make_post(title="Plover", body="shore")
    for n in range(3):
        make_post(title=f"Shore walk {n}", body="sand")
    with CaptureQueriesContext(connection) as queries:
        assert titles(client, "shore plover") == ["Plover"]
    against = [q["sql"] for q in queries.captured_queries if "MATCH" in q["sql"]]
    assert "'+plover* +shore*'" in against[0]
