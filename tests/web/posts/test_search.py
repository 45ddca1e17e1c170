"""Search: the database's full-text index (FTS5 on SQLite, InnoDB FULLTEXT on MySQL/MariaDB),
ranked by relevance, matching words and prefixes as readers type them.

Transactional tests: InnoDB shows rows to a full-text search only once they are committed.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cblog.posts import search, services
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
    build = search._sqlite if connection.vendor == "sqlite" else search._mysql
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql, params = build(["indexed"], published=(Post.Status.PUBLISHED, now))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", [*params, 10])
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "VIRTUAL TABLE INDEX" in plan
            assert "SEARCH p USING INTEGER PRIMARY KEY" in plan  # posts by id, no scan
        else:
            cursor.execute(f"EXPLAIN {sql}", [*params, 10])
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "fulltext" in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the bound is SQLite's (FTS5)")
def test_sqlite_ranks_only_the_newest_matches_of_a_common_word(make_post, client, monkeypatch):
    monkeypatch.setattr(search, "MAX_RESULTS", 3)
    make_post(title="Kestrel", body="an old post, the word in its title")
    for n in range(4):
        make_post(title=f"Newer {n}", body="a kestrel in the body")
    assert titles(client, "kestrel") == ["Newer 3", "Newer 2", "Newer 1"]
