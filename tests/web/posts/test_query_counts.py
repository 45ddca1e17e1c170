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


@pytest.mark.parametrize("logged_in", [False, True])
def test_post_detail_stays_within_eight_queries(
    fifty_posts, make_user, client, user, logged_in, django_assert_max_num_queries
):
    post = fifty_posts[0]
    for n in range(10):
        services.comment_create(post=post, author=make_user(), body=f"comment {n}")
    if logged_in:
        client.force_login(user)
    with django_assert_max_num_queries(8):
        response = client.get(post.get_absolute_url())
    assert len(response.context["comments"]) == 11
