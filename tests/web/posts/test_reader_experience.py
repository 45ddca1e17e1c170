"""What a reader sees: home identity, the post page's furniture, search, counts and dates."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from cblog.posts import demo_posts, services
from cblog.posts.models import Post
from cblog.posts.templatetags.reading import highlight

pytestmark = pytest.mark.django_db
STATIC = Path(django_settings.BASE_DIR) / "cblog" / "static"


def test_home_shows_the_configured_title_and_tagline_and_features_the_newest_post(
    make_post, client, settings
):
    settings.SITE_NAME = "Field Notes"
    settings.SITE_TAGLINE = "Walks & bread"
    make_post(title="Older one")
    make_post(title="Newest one")
    html = client.get(reverse("posts:home")).content.decode()
    assert '<h1 id="site-name" class="hero-title">Field Notes</h1>' in html
    assert "Walks &amp; bread" in html
    featured = html.split('class="featured"')[1].split("</article>")[0]
    assert "Newest one" in featured
    assert "More stories" in html


def test_footer_lists_the_sections_and_the_feeds(make_post, client, category):
    html = client.get(reverse("posts:home")).content.decode()
    footer = html.split('<footer class="site-footer">')[1]
    assert f'href="{category.get_absolute_url()}">Travel<' in footer
    assert reverse("posts:feed_rss") in footer
    assert reverse("posts:feed_atom") in footer


def test_footer_sections_are_cached_between_pages(
    category, client, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0  # render every time: only the footer cache is left
    client.get(reverse("posts:search"))
    with django_assert_num_queries(0):  # the search page without a query reads nothing else
        html = client.get(reverse("posts:search")).content.decode()
    assert 'href="/category/travel/">Travel<' in html


def test_navigation_marks_the_current_page(client_logged_in):
    html = client_logged_in.get(reverse("posts:mine")).content.decode()
    assert re.search(r'href="/posts/mine/"\s+aria-current="page"', html)
    assert html.count('aria-current="page"') == 1


def test_post_page_has_reading_time_author_block_and_sharing_tags(make_post, client, make_user):
    author = make_user(first_name="Ada", last_name="Lovelace", bio="Writes about engines.")
    post = make_post(author=author, title="Engines", body=" ".join(["word"] * 700))
    html = client.get(post.get_absolute_url()).content.decode()
    assert "3 min read" in html  # 700 words at 230 a minute
    assert "Written by" in html
    assert "Writes about engines." in html
    url = f"http://testserver{post.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in html
    assert '<meta property="og:title" content="Engines">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta name="twitter:card" content="summary">' in html


def test_cover_alt_text_is_the_title_and_og_image_is_absolute(
    make_post, client, image_file, media_root
):
    post = make_post(title="Harbour <at> dawn", cover=image_file)
    html = client.get(post.get_absolute_url()).content.decode()
    assert re.search(r'<img class="post-cover" src="[^"]+" alt="Harbour &lt;at&gt; dawn"', html)
    assert re.search(r'<meta property="og:image" content="http://testserver/media/[^"]+">', html)
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    card = client.get(reverse("posts:home")).content.decode()
    assert 'alt="Harbour &lt;at&gt; dawn"' in card


def test_drafts_carry_no_sharing_tags(make_post, client_logged_in, user):
    draft = make_post(author=user, status=Post.Status.DRAFT)
    html = client_logged_in.get(draft.get_absolute_url()).content.decode()
    assert "og:title" not in html
    assert 'name="robots" content="noindex"' in html


def test_previous_next_and_related_posts(make_post, client, category, make_user):
    now = timezone.now()
    tags = services.tags_from_text("sea")
    first = make_post(title="First", published_at=now - timedelta(days=3), tags=tags)
    middle = make_post(title="Middle", published_at=now - timedelta(days=2), category=category)
    make_post(title="Last", published_at=now - timedelta(days=1), tags=tags)
    make_post(title="Unrelated", published_at=now - timedelta(hours=1))
    make_post(title="Same section", published_at=now - timedelta(hours=2), category=category)
    response = client.get(middle.get_absolute_url())
    assert response.context["previous_post"]().title == "First"
    assert response.context["next_post"]().title == "Last"
    assert [p.title for p in response.context["related_posts"]] == ["Same section"]
    related = client.get(first.get_absolute_url()).context["related_posts"]
    assert [p.title for p in related] == ["Last"]
    assert client.get(first.get_absolute_url()).context["previous_post"]() is None


def test_comments_are_paginated(make_post, client, make_user, settings):
    settings.COMMENTS_PER_PAGE = 3
    post = make_post()
    reader = make_user()
    for n in range(7):
        services.comment_create(post=post, author=reader, body=f"comment number {n}")
    first = client.get(post.get_absolute_url())
    assert [c.body for c in first.context["comments"]] == [f"comment number {n}" for n in range(3)]
    assert "Comments (7)" in first.content.decode()
    last = client.get(post.get_absolute_url(), {"comments": 3})
    assert [c.body for c in last.context["comments"]] == ["comment number 6"]
    assert "Comments page 3 of 3" in last.content.decode()


def test_zero_counts_stay_quiet_and_signed_out_readers_see_how_to_like(make_post, client):
    post = make_post(title="Quiet")
    home = client.get(reverse("posts:home")).content.decode()
    assert "0 comments" not in home
    assert "0 likes" not in home
    assert "0 views" not in home
    detail = client.get(post.get_absolute_url()).content.decode()
    login = reverse("users:login")
    assert re.search(rf'href="{login}\?next=[^"]+">♡ Log in to like</a>', detail)


def test_updated_shows_only_for_an_edit_on_a_later_day(make_post, client, image_file, media_root):
    post = make_post(title="Fresh", cover=image_file)  # saved twice: row, then thumbnail
    assert not post.was_edited
    assert "Updated" not in client.get(post.get_absolute_url()).content.decode()
    Post.objects.filter(pk=post.pk).update(
        published_at=timezone.now() - timedelta(days=5),
        created_at=timezone.now() - timedelta(days=5),
    )
    post.refresh_from_db()
    services.post_update(
        post=post, title="Fresh", body="Edited.", category=None, tags=[], status=post.status
    )
    assert "Updated" in client.get(post.get_absolute_url()).content.decode()


def test_dates_use_one_format(make_post, client):
    post = make_post(published_at=timezone.now().replace(year=2025, month=3, day=7))
    assert "Mar 7, 2025" in client.get(reverse("posts:home")).content.decode()
    assert "Mar 7, 2025" in client.get(post.get_absolute_url()).content.decode()


def test_an_empty_search_is_a_search_page(client):
    response = client.get(reverse("posts:search"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Type a word or two" in html
    assert "No posts" not in html


@pytest.mark.django_db(transaction=True)  # InnoDB's full-text index: committed rows only
def test_search_counts_and_highlights_results(make_post, client):
    make_post(title="Bread at dawn", body="Crusty bread.")
    make_post(title="Bread at dusk", body="Soft bread.")
    html = client.get(reverse("posts:search"), {"q": "bread"}).content.decode()
    assert "2 posts match “bread”." in html
    assert "<mark>Bread</mark> at dawn" in html
    empty = client.get(reverse("posts:search"), {"q": "zzz"}).content.decode()
    assert "No posts match “zzz”." in empty
    assert "Try fewer or shorter words" in empty


def test_highlight_escapes_text_and_terms():
    assert highlight("a <b> & b", "<b>") == "a <mark>&lt;b&gt;</mark> &amp; b"
    assert highlight("Tea and TEA", "tea") == "<mark>Tea</mark> and <mark>TEA</mark>"
    assert highlight("<i>x</i>", "") == "&lt;i&gt;x&lt;/i&gt;"
    assert highlight("x.y", ".") == "x<mark>.</mark>y"  # a term is text, not a pattern


def test_favicon_and_touch_icon_are_served(client):
    for path, name in (("/favicon.ico", "favicon.ico"), ("/apple-touch-icon.png", "apple-touch")):
        response = client.get(path)
        assert response.status_code == 301
        assert name in response["Location"]
        assert (STATIC / "img" / Path(response["Location"]).name).exists() or client.get(
            response["Location"]
        ).status_code == 200


def test_demo_posts_are_distinct_and_their_pictures_ship():
    bodies = [post.body for post in demo_posts.SHOWCASE]
    assert len(set(bodies)) == len(bodies)
    assert len({post.scene for post in demo_posts.SHOWCASE}) == len(bodies)
    assert {post.author for post in demo_posts.SHOWCASE} == set(demo_posts.AUTHORS)
    for body in bodies:
        assert "## " in body  # every post has sections
        prose = re.sub(r"```.*?```", "", body, flags=re.DOTALL)
        assert not re.search(r"[^\n]\n[a-z]", prose), "a hard-wrapped line would render as <br>"
        for src in re.findall(r"\]\((/static/[^)]+)\)", body):
            assert (STATIC / src.removeprefix("/static/")).is_file(), src
    assert sum("![" in body for body in bodies) >= 2
    assert sum("```" in body for body in bodies) >= 2
    assert sum("\n> " in body for body in bodies) >= 4
