"""Responsive images: the deriver's renditions, learned from the index once, then from the row."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.urls import reverse

from cblog.core import pagecache
from cblog.media import renditions
from cblog.posts import services
from cblog.posts.models import Post

pytestmark = pytest.mark.django_db


def recorded_by_deriver(name: str, width: int, height: int) -> list[dict[str, Any]]:
    """What the media deriver writes into the original's index item (served first)."""
    prefix = f"derived/{name}/"
    extension = name.rsplit(".", 1)[-1]
    sizes = [w for w in (480, 960, 1600) if w < width]
    return [
        {"key": f"{prefix}full.{extension}", "width": width, "height": height},
        *(
            {"key": f"{prefix}{w}w.webp", "width": w, "height": round(height * w / width)}
            for w in sizes
        ),
    ]


@pytest.fixture
def covered_post(make_user, make_image, media_root) -> Post:
    return services.post_create(
        author=make_user(),
        title="With a cover",
        body="text",
        status=Post.Status.PUBLISHED,
        cover=make_image(size=(1200, 700)),
    )


def card_img(html: str) -> str:
    [tag] = re.findall(r'<img class="card-cover"[^>]*>', html)
    return tag


def test_card_falls_back_to_the_original_until_renditions_exist(covered_post, client):
    html = client.get(reverse("posts:home")).content.decode()
    tag = card_img(html)
    assert f'src="{covered_post.cover_thumbnail.url}"' in tag
    assert "srcset" not in tag
    assert "sizes" not in tag


def renditions_logs(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the renditions module logged (signing in logs too, through django-axes)."""
    return [record for record in caplog.records if record.name == "cblog.media.renditions"]


def test_card_uses_the_renditions_after_one_index_lookup(
    covered_post, client, user, media_index, caplog
):
    thumbnail = covered_post.cover_thumbnail.name
    media_index.put_item(
        Item={
            "id": f"media/{thumbnail}",
            "renditions": recorded_by_deriver(thumbnail, 800, 450),
        }
    )
    client.force_login(user)  # signed in: no page cache between the two views
    tag = card_img(client.get(reverse("posts:home")).content.decode())
    assert f'src="/derived/{thumbnail}/full.jpg"' in tag
    assert f"/derived/{thumbnail}/480w.webp 480w, /derived/{thumbnail}/full.jpg 800w" in tag
    assert 'sizes="(max-width: ' in tag  # the featured card is wider than a grid card
    covered_post.refresh_from_db()
    assert covered_post.renditions["cover_thumbnail"]["name"] == thumbnail

    media_index.delete()  # any index call from now on would fail and be logged
    with caplog.at_level(logging.WARNING, logger="cblog.media.renditions"):
        again = card_img(client.get(reverse("posts:home")).content.decode())
    assert again == tag
    assert renditions_logs(caplog) == []


def test_an_image_without_renditions_is_looked_up_at_most_once_a_minute(
    covered_post, client, user, media_index, caplog
):
    client.force_login(user)
    client.get(reverse("posts:home"))  # looked up: the deriver has not finished yet
    media_index.delete()
    with caplog.at_level(logging.WARNING, logger="cblog.media.renditions"):
        tag = card_img(client.get(reverse("posts:home")).content.decode())
    assert renditions_logs(caplog) == []  # not asked again within RECHECK_SECONDS
    assert f'src="{covered_post.cover_thumbnail.url}"' in tag


def test_renditions_of_a_replaced_file_are_not_used(covered_post):
    covered_post.renditions = {
        "cover": {"name": "images/1/old.jpg", "renditions": recorded_by_deriver("x.jpg", 900, 600)}
    }
    image = renditions.responsive(covered_post, "cover")
    assert image is not None
    assert (image.src, image.srcset) == (covered_post.cover.url, "")


def test_post_page_and_avatar_use_their_renditions(covered_post, client, media_index, make_image):
    author = covered_post.author
    author.avatar.save("a.jpg", make_image(size=(600, 600)))
    for name, width, height in (
        (covered_post.cover.name, 1200, 700),
        (author.avatar.name, 600, 600),
    ):
        media_index.put_item(
            Item={"id": f"media/{name}", "renditions": recorded_by_deriver(name, width, height)}
        )
    page = client.get(covered_post.get_absolute_url()).content.decode()
    [cover] = re.findall(r'<img class="post-cover"[^>]*>', page)
    assert f"/derived/{covered_post.cover.name}/960w.webp 960w" in cover
    assert 'width="1200" height="700"' in cover
    author_page = client.get(reverse("users:author", args=[author.username])).content.decode()
    [avatar] = re.findall(r'<img class="avatar"[^>]*>', author_page)
    assert f"/derived/{author.avatar.name}/480w.webp 480w" in avatar
    assert 'sizes="72px"' in avatar
    assert 'alt="Avatar of ' in avatar


def test_home_with_renditions_stays_within_six_queries(
    make_user, make_image, media_root, client, media_index, settings, django_assert_max_num_queries
):
    settings.POSTS_PER_PAGE = 20
    for n in range(20):
        post = services.post_create(
            author=make_user(),
            title=f"Post {n}",
            body="b",
            status=Post.Status.PUBLISHED,
            cover=make_image(size=(900, 500)),
        )
        name = post.cover_thumbnail.name
        media_index.put_item(
            Item={"id": f"media/{name}", "renditions": recorded_by_deriver(name, 800, 450)}
        )
    client.get(reverse("posts:home"))  # the one-time fill: one lookup, one UPDATE per post
    pagecache.invalidate()
    with django_assert_max_num_queries(6):
        html = client.get(reverse("posts:home")).content.decode()
    assert html.count("480w.webp 480w") == 20


def test_the_editor_and_profile_thumbnails_use_the_small_renditions(
    covered_post, client, media_index, make_image
):
    author = covered_post.author
    author.avatar.save("a.jpg", make_image(size=(600, 600)))
    for name, width, height in (
        (covered_post.cover.name, 1200, 700),
        (author.avatar.name, 600, 600),
    ):
        media_index.put_item(
            Item={"id": f"media/{name}", "renditions": recorded_by_deriver(name, width, height)}
        )
    client.force_login(author)
    editor = client.get(reverse("posts:update", args=[covered_post.slug])).content.decode()
    [cover] = re.findall(r'<img class="image-picker-preview"[^>]*>', editor)
    assert f"/derived/{covered_post.cover.name}/480w.webp 480w" in cover
    assert 'sizes="96px"' in cover
    profile = client.get(reverse("users:profile")).content.decode()
    [avatar] = re.findall(r'<img class="image-picker-preview"[^>]*>', profile)
    assert f"/derived/{author.avatar.name}/480w.webp 480w" in avatar
