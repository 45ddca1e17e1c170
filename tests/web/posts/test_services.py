from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cblog.posts import services
from cblog.posts.models import Comment, Like, Post, PostView, Tag

pytestmark = pytest.mark.django_db


def test_slug_is_generated_unique_and_stable_when_the_title_changes(make_post, user):
    first = make_post(author=user, title="Hello World")
    second = make_post(author=user, title="Hello world!")
    assert first.slug == "hello-world"
    assert second.slug == "hello-world-2"
    services.post_update(
        post=first, title="A new title", body="b", category=None, tags=[], status="published"
    )
    first.refresh_from_db()
    assert first.slug == "hello-world"
    assert first.title == "A new title"


def test_slug_never_takes_a_reserved_path_segment(make_post):
    assert make_post(title="New").slug == "new-2"
    assert make_post(title="Mine").slug == "mine-2"


def test_slug_falls_back_when_the_title_has_no_ascii(make_post):
    assert make_post(title="日本語").slug == "post"


def test_published_at_is_set_on_first_publish_and_kept(make_post, user):
    post = make_post(author=user, status=Post.Status.DRAFT)
    assert post.published_at is None
    services.post_update(
        post=post, title=post.title, body="x", category=None, tags=[], status="published"
    )
    first_published = post.published_at
    assert first_published is not None
    services.post_update(
        post=post, title="Changed", body="x", category=None, tags=[], status="published"
    )
    assert post.published_at == first_published


def test_future_date_schedules_the_post(make_post, future):
    post = make_post(published_at=future)
    assert post.is_scheduled
    assert not post.is_public
    assert not Post.objects.published().filter(pk=post.pk).exists()


def test_body_is_rendered_and_sanitised_on_save(make_post):
    post = make_post(body="**bold** <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<strong>bold</strong>" in post.body_html
    assert "<script" not in post.body_html
    assert "javascript:" not in post.body_html
    assert post.excerpt.startswith("bold")


def test_excerpt_keeps_words_of_adjacent_blocks_apart(make_post):
    post = make_post(body="- gulls\n- nets\n\nEnd.")
    assert post.excerpt == "gulls nets End."


def test_excerpt_leaves_out_headings_and_code(make_post):
    post = make_post(body="Intro.\n\n## A heading\n\n```\ncode()\n```\n\nMore.")
    assert post.excerpt == "Intro. More."
    assert make_post(body="## Only a heading").excerpt == "Only a heading"


def test_tags_from_text_deduplicates_and_reuses(db):
    tags = services.tags_from_text("Travel, travel , Food,, ")
    assert [t.slug for t in tags] == ["travel", "food"]
    assert services.tags_from_text("food")[0].pk == tags[1].pk
    assert Tag.objects.count() == 2


def test_comment_counter_follows_creates_and_deletes(post, make_user):
    reader = make_user()
    comment = services.comment_create(post=post, author=reader, body="  Nice!  ")
    assert comment.body == "Nice!"
    post.refresh_from_db()
    assert post.comment_count == 1 == Comment.objects.filter(post=post).count()
    services.comment_delete(comment=comment)
    post.refresh_from_db()
    assert post.comment_count == 0


def test_like_toggles_and_the_counter_matches_the_rows(post, make_user):
    reader = make_user()
    assert services.like_toggle(post=post, user=reader) is True
    post.refresh_from_db()
    assert post.like_count == 1 == Like.objects.filter(post=post).count()
    assert services.like_toggle(post=post, user=reader) is False
    post.refresh_from_db()
    assert post.like_count == 0 == Like.objects.filter(post=post).count()


def test_a_second_like_row_is_refused_by_the_database(post, make_user):
    from django.db import IntegrityError, transaction

    reader = make_user()
    Like.objects.create(post=post, user=reader)
    with pytest.raises(IntegrityError), transaction.atomic():
        Like.objects.create(post=post, user=reader)


def test_a_view_counts_once_per_visitor_and_day(post):
    assert services.view_record(post_id=post.pk, visitor="anon:a") is True
    assert services.view_record(post_id=post.pk, visitor="anon:a") is False
    assert services.view_record(post_id=post.pk, visitor="anon:b") is True
    post.refresh_from_db()
    assert post.view_count == 2 == PostView.objects.filter(post=post).count()


def test_a_view_counts_again_on_another_day(post, monkeypatch):
    services.view_record(post_id=post.pk, visitor="user:1")
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(services.timezone, "localdate", lambda: tomorrow)
    assert services.view_record(post_id=post.pk, visitor="user:1") is True
    assert PostView.objects.filter(post=post).count() == 2


def test_the_database_decides_when_the_cache_forgot(post):
    from django.core.cache import cache

    assert services.view_record(post_id=post.pk, visitor="anon:a") is True
    cache.clear()  # e.g. another process, or an evicted entry
    services.forget_seen_views()
    assert services.view_record(post_id=post.pk, visitor="anon:a") is False
    post.refresh_from_db()
    assert post.view_count == 1


def test_a_repeated_view_costs_no_round_trip_to_a_shared_cache(
    post, redis_cache, django_assert_num_queries
):
    from django.core.cache import cache

    assert services.view_record(post_id=post.pk, visitor="user:1") is True
    cache.clear()  # were the shared cache asked, it would answer "new" and the row be tried
    with django_assert_num_queries(0):
        assert services.view_record(post_id=post.pk, visitor="user:1") is False


def test_the_visitor_identity_is_stored_hashed(post):
    services.view_record(post_id=post.pk, visitor="anon:secret-cookie")
    stored = PostView.objects.get(post=post).visitor
    assert "secret" not in stored
    assert len(stored) == 64


@pytest.mark.django_db(transaction=True)
def test_a_view_counting_failure_is_swallowed(post, monkeypatch):
    # Make the database reject the statement: a real DatabaseError from the real driver.
    monkeypatch.setattr(connection.ops, "insert_statement", lambda on_conflict=None: "INSERT BOGUS")
    assert services.view_record(post_id=post.pk, visitor="anon:x") is False
    post.refresh_from_db()
    assert post.view_count == 0


def test_deleting_a_post_removes_its_files_after_commit(
    make_post, user, image_file, media_root, django_capture_on_commit_callbacks
):
    from cblog.core.uploads import clean_image

    post = make_post(author=user, cover=clean_image(image_file))
    cover_path = media_root / post.cover.name
    thumb_path = media_root / post.cover_thumbnail.name
    assert cover_path.exists()
    assert thumb_path.exists()
    assert post.cover.name.startswith(f"images/{user.pk}/")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_delete(post=post)
    assert not cover_path.exists()
    assert not thumb_path.exists()


def test_replacing_a_cover_deletes_the_old_file(
    make_post, user, make_image, media_root, django_capture_on_commit_callbacks
):
    from cblog.core.uploads import clean_image

    post = make_post(author=user, cover=clean_image(make_image()))
    old = media_root / post.cover.name
    with django_capture_on_commit_callbacks(execute=True):
        services.post_update(
            post=post,
            title=post.title,
            body=post.body,
            category=None,
            tags=[],
            status=post.status,
            cover=clean_image(make_image(color="red")),
        )
    assert not old.exists()
    assert (media_root / post.cover.name).exists()
