from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from cblog.posts import demo
from cblog.posts.models import Category, Comment, Like, Post, PostView, Tag
from cblog.users.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_fills_bulk_posts(media_root, capsys):
    call_command("seed_demo", posts=7, comments=2, likes=3, verbosity=0)
    call_command("seed_demo", posts=7, comments=2, likes=3, verbosity=0)
    assert Post.objects.filter(slug__startswith="bulk-post-").count() == 7
    assert Post.objects.count() == 7 + len(demo.SHOWCASE)
    bulk = Post.objects.filter(slug__startswith="bulk-post-")
    assert Comment.objects.filter(post__in=bulk).count() == 14
    assert Like.objects.filter(post__in=bulk).count() == 21
    for post in Post.objects.all():
        assert post.comment_count == post.comments.count()
        assert post.like_count == post.likes.count()
    showcase = Post.objects.exclude(slug__startswith="bulk-post-")
    assert all(p.cover and p.cover_thumbnail for p in showcase)
    assert User.objects.filter(username="alice").get().check_password("demo-password")
    assert "alice" in capsys.readouterr().out


@pytest.fixture
def admin_client_(client, make_user):
    admin = make_user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client, admin


@pytest.mark.parametrize("model", [Category, Tag, Post, Comment, Like, PostView, User])
def test_admin_lists_every_model(admin_client_, model, post):
    client, _ = admin_client_
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200


def test_admin_post_gets_a_slug_and_sanitised_html(admin_client_):
    client, admin = admin_client_
    response = client.post(
        reverse("admin:posts_post_add"),
        {
            "title": "From the admin",
            "author": admin.pk,
            "body": "*hi* <script>x()</script>",
            "status": "published",
        },
    )
    assert response.status_code == 302
    post = Post.objects.get(title="From the admin")
    assert post.slug == "from-the-admin"
    assert post.body_html == "<p><em>hi</em> </p>"
    assert post.published_at is not None


def test_local_settings_run_the_blog_on_sqlite_in_debug(monkeypatch):
    # setenv then delenv: monkeypatch restores each variable, even those local.py sets anew.
    for name in (
        "DATABASE_URL",
        "DJANGO_DEBUG",
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DJANGO_SECURE_SSL_REDIRECT",
        "DJANGO_SECURE_HSTS_SECONDS",
    ):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.delitem(sys.modules, "cblog.settings.base")  # import base afresh
    local = Path(__file__).resolve().parents[3] / "web" / "cblog" / "settings" / "local.py"
    settings = runpy.run_path(str(local))
    assert settings["DEBUG"] is True
    assert settings["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert "127.0.0.1" in settings["ALLOWED_HOSTS"]


def test_seed_demo_draws_missing_demo_pictures_again(media_root):
    call_command("seed_demo", verbosity=0)
    post = Post.objects.exclude(slug__startswith="bulk-post-").first()
    (media_root / post.cover.name).unlink()
    call_command("seed_demo", verbosity=0)
    post.refresh_from_db()
    assert (media_root / post.cover.name).exists()
    assert (media_root / post.cover_thumbnail.name).exists()


def test_deleting_comments_in_the_admin_keeps_the_counter(admin_client_, post, make_user):
    from cblog.posts import services

    client, _ = admin_client_
    first = services.comment_create(post=post, author=make_user(), body="one")
    second = services.comment_create(post=post, author=make_user(), body="two")
    client.post(reverse("admin:posts_comment_delete", args=[first.pk]), {"post": "yes"})
    client.post(
        reverse("admin:posts_comment_changelist"),
        {"action": "delete_selected", "_selected_action": [second.pk], "post": "yes"},
    )
    post.refresh_from_db()
    assert post.comment_count == 0
    assert not Comment.objects.exists()


def test_likes_and_views_are_read_only_in_the_admin(admin_client_, post, make_user):
    from cblog.posts import services

    client, _ = admin_client_
    services.like_toggle(post=post, user=make_user())
    like = Like.objects.get()
    assert client.get(reverse("admin:posts_like_change", args=[like.pk])).status_code == 200
    assert (
        client.post(reverse("admin:posts_like_delete", args=[like.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Like.objects.exists()
