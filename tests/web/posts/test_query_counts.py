"""The number of queries a page makes does not grow with the content it shows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cblog.posts import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def fifty_posts(make_post, make_user, category):
    authors = [make_user() for _ in range(5)]
    readers = [make_user() for _ in range(3)]
    posts = [
        make_post(
            author=authors[n % 5],
            title=f"Post {n}",
            category=category,
            tags=services.tags_from_text("a, b"),
        )
        for n in range(50)
    ]
    for post in posts:
        services.comment_create(post=post, author=readers[0], body="c")
        services.like_toggle(post=post, user=readers[1])
    return posts


@pytest.mark.parametrize("logged_in", [False, True])
def test_home_stays_within_six_queries(
    fifty_posts, client, user, logged_in, django_assert_max_num_queries, settings
):
    settings.POSTS_PER_PAGE = 50  # every post on one page: no per-post queries may hide
    if logged_in:
        client.force_login(user)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("posts:home"))
    assert len(response.context["page_obj"]) == 50


@pytest.mark.parametrize(
    "url", [reverse("posts:category", args=["travel"]), "/search/?q=Post", "/tag/a/"]
)
def test_list_pages_stay_within_six_queries(
    fifty_posts, client, url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200


# The post, its tags, the view (insert + counter), previous and next posts, related posts, one
# page of comments and the footer's sections (cached afterwards); signed in: the session, the
# user and their like.
@pytest.mark.parametrize(("logged_in", "budget"), [(False, 9), (True, 12)])
def test_post_detail_query_count_is_pinned(
    fifty_posts, make_user, client, user, logged_in, budget, django_assert_max_num_queries
):
    post = fifty_posts[25]  # in the middle: it has a previous and a next post
    for n in range(10):
        services.comment_create(post=post, author=make_user(), body=f"comment {n}")
    if logged_in:
        client.force_login(user)
    with django_assert_max_num_queries(budget):
        response = client.get(post.get_absolute_url())
    assert len(response.context["comments"]) == 11
    assert response.context["previous_post"]() is not None
    assert response.context["next_post"]() is not None
    assert len(response.context["related_posts"]) == 3
