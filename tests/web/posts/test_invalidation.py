"""Every write path empties the page cache: the site's services, the admin's forms, its bulk
deletes and actions, and plain model calls (a shell, a management command).

Each test fills the cache as an anonymous reader, writes, and reads again as another
anonymous reader: the page must show the change at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.forms import MultiWidget
from django.test import Client
from django.urls import reverse

from cblog.core import pagecache
from cblog.posts import services
from cblog.posts.admin import PostAdmin
from cblog.posts.models import Category, Comment, Post, Tag
from cblog.users.models import User

# Transactional: every write commits for real, so on-commit invalidation runs as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 30


@pytest.fixture
def admin_client(make_user) -> Client:
    client = Client()
    client.force_login(make_user(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def write() -> Callable[..., Any]:
    """Run a write; it commits (and its on-commit callbacks run) before this returns."""

    def run(action: Callable[[], Any]) -> Any:
        result = action()
        assert not transaction.get_connection().in_atomic_block
        return result

    return run


def anonymous(url: str) -> str:
    response = Client().get(url)
    return response.content.decode() if response.status_code == 200 else str(response.status_code)


def cached(url: str) -> str:
    """The page, after checking that the next anonymous reader gets it from the cache."""
    first = anonymous(url)
    assert anonymous(url) == first
    stored = [key for key in cache._cache if ":pagecache:" in key and "generation" not in key]
    assert stored, "the page was not cached"  # the test settings' cache is locmem
    return first


def change_form_data(client: Client, url: str, **changes: Any) -> dict[str, Any]:
    """What the admin's change form at ``url`` would post unchanged, with ``changes`` applied."""
    form = client.get(url).context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.disabled or value in (None, "", False) or hasattr(value, "url"):
            continue
        if isinstance(field.widget, MultiWidget):
            for i, part in enumerate(field.widget.decompress(value)):
                data[f"{name}_{i}"] = str(part)
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "on" if value is True else str(value)
    return data | changes


def admin_url(model: type, view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def story(make_post, user, category) -> Post:
    tag = Tag.objects.create(name="Sea", slug="sea")
    post = make_post(author=user, title="Harbour lights", category=category, tags=[tag])
    services.comment_create(post=post, author=user, body="First comment here")
    return post


def test_an_admin_edit_of_a_comment_shows_at_once(story, admin_client, write):
    comment = Comment.objects.get(post=story)
    url = admin_url(Comment, "change", comment.pk)
    assert "First comment here" in cached(story.get_absolute_url())
    data = change_form_data(admin_client, url, body="Edited by a moderator")
    assert write(lambda: admin_client.post(url, data)).status_code == 302
    assert "Edited by a moderator" in anonymous(story.get_absolute_url())


def test_an_admin_bulk_delete_of_comments_shows_at_once(story, admin_client, write, user):
    services.comment_create(post=story, author=user, body="Second comment here")
    page = cached(story.get_absolute_url())
    assert "First comment here" in page
    assert "Second comment here" in page
    assert "2 comments" in cached(reverse("posts:home"))
    ids = [str(pk) for pk in Comment.objects.values_list("pk", flat=True)]
    data = {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    write(lambda: admin_client.post(admin_url(Comment, "changelist"), data))
    page = anonymous(story.get_absolute_url())
    assert "First comment here" not in page
    assert "Second comment here" not in page
    assert "2 comments" not in anonymous(reverse("posts:home"))  # a zero count stays quiet


def test_an_admin_edit_of_a_category_shows_at_once(story, admin_client, write, category):
    url = admin_url(Category, "change", category.pk)
    assert "Travel" in cached(reverse("posts:home"))
    data = change_form_data(admin_client, url, name="Voyages")
    assert write(lambda: admin_client.post(url, data)).status_code == 302
    home = anonymous(reverse("posts:home"))
    assert "Voyages" in home
    assert ">Travel<" not in home


def test_an_admin_bulk_delete_of_categories_shows_at_once(story, admin_client, write, category):
    assert "Travel" in cached(category.get_absolute_url())
    data = {"action": "delete_selected", "_selected_action": [category.pk], "post": "yes"}
    write(lambda: admin_client.post(admin_url(Category, "changelist"), data))
    assert anonymous(category.get_absolute_url()) == "404"
    assert ">Travel<" not in anonymous(reverse("posts:home"))


def test_an_admin_edit_of_a_tag_shows_at_once(story, admin_client, write):
    tag = Tag.objects.get()
    url = admin_url(Tag, "change", tag.pk)
    assert "Sea" in cached(tag.get_absolute_url())
    data = change_form_data(admin_client, url, name="Ocean")
    assert write(lambda: admin_client.post(url, data)).status_code == 302
    assert "Ocean" in anonymous(tag.get_absolute_url())


def test_an_admin_bulk_delete_of_tags_shows_at_once(story, admin_client, write):
    tag = Tag.objects.get()
    assert "Harbour lights" in cached(tag.get_absolute_url())
    data = {"action": "delete_selected", "_selected_action": [tag.pk], "post": "yes"}
    write(lambda: admin_client.post(admin_url(Tag, "changelist"), data))
    assert anonymous(tag.get_absolute_url()) == "404"


def test_an_admin_edit_of_a_post_and_its_tags_shows_at_once(story, admin_client, write):
    url = admin_url(Post, "change", story.pk)
    assert "Harbour lights" in cached(story.get_absolute_url())
    data = change_form_data(admin_client, url, title="Harbour at night", tags=[])
    assert write(lambda: admin_client.post(url, data)).status_code == 302
    page = anonymous(story.get_absolute_url())
    assert "Harbour at night" in page
    assert "/tags/sea/" not in page


def test_an_admin_bulk_delete_of_posts_shows_at_once(story, admin_client, write):
    assert "Harbour lights" in cached(reverse("posts:home"))
    data = {"action": "delete_selected", "_selected_action": [story.pk], "post": "yes"}
    write(lambda: admin_client.post(admin_url(Post, "changelist"), data))
    assert "Harbour lights" not in anonymous(reverse("posts:home"))
    assert anonymous(story.get_absolute_url()) == "404"


def test_an_admin_edit_of_a_user_shows_at_once(story, admin_client, write, user):
    url = admin_url(User, "change", user.pk)
    assert "Ann Author" in cached(reverse("posts:home"))
    data = change_form_data(admin_client, url, first_name="Annette")
    assert write(lambda: admin_client.post(url, data)).status_code == 302
    assert "Annette Author" in anonymous(reverse("posts:home"))


def test_an_admin_bulk_delete_of_users_shows_at_once(story, admin_client, write, user):
    assert "Harbour lights" in cached(reverse("posts:home"))
    data = {"action": "delete_selected", "_selected_action": [user.pk], "post": "yes"}
    write(lambda: admin_client.post(admin_url(User, "changelist"), data))
    assert "Harbour lights" not in anonymous(reverse("posts:home"))


def test_an_admin_action_that_updates_in_bulk_shows_at_once(
    story, admin_client, write, monkeypatch
):
    # Such an action is not registered today; any one added later is covered by the mixin.
    def unpublish(modeladmin, request, queryset):
        queryset.update(status=Post.Status.DRAFT)  # no signal

    monkeypatch.setattr(PostAdmin, "actions", [admin.action(description="Unpublish")(unpublish)])
    assert "Harbour lights" in cached(reverse("posts:home"))
    data = {"action": "unpublish", "_selected_action": [story.pk]}
    write(lambda: admin_client.post(admin_url(Post, "changelist"), data))
    assert "Harbour lights" not in anonymous(reverse("posts:home"))


def test_a_plain_model_write_shows_at_once(story, write, category):
    assert "Travel" in cached(reverse("posts:home"))
    category.name = "Journeys"
    write(category.save)
    assert "Journeys" in anonymous(reverse("posts:home"))


@pytest.mark.parametrize(
    "service",
    [
        lambda post, user: services.like_toggle(post=post, user=user),
        lambda post, user: services.comment_create(post=post, author=user, body="Nice one"),
        lambda post, user: services.comment_delete(comment=Comment.objects.get(post=post)),
        lambda post, user: services.post_delete(post=post),
    ],
    ids=["like", "comment", "comment-delete", "post-delete"],
)
def test_the_site_s_own_writes_show_at_once(story, user, write, service):
    before = cached(story.get_absolute_url())
    write(lambda: service(story, user))
    assert anonymous(story.get_absolute_url()) != before


def test_signing_in_leaves_cached_pages_alone(story, user, password, write):
    cached(reverse("posts:home"))
    generation = cache.get(pagecache.GENERATION_KEY)
    login = {"username": user.username, "password": password}
    response = write(lambda: Client().post(reverse("users:login"), login))
    assert response.status_code == 302  # signed in (the login view, as a reader does)
    assert cache.get(pagecache.GENERATION_KEY) == generation


def test_a_cascade_bumps_the_generation_once(story, user, write, make_post):
    for n in range(3):
        make_post(author=user, title=f"More {n}")
    cached(reverse("posts:home"))
    generation = cache.get(pagecache.GENERATION_KEY)
    write(user.delete)  # four posts, a comment, the user: one transaction
    assert cache.get(pagecache.GENERATION_KEY) == generation + 1


def test_seeding_bulk_posts_shows_at_once(story, media_root):
    call_command("seed_demo", posts=1, comments=1, likes=1, verbosity=0)  # showcase + 1 bulk
    assert "Bulk post number 2" not in cached(reverse("posts:home"))
    call_command("seed_demo", posts=3, comments=1, likes=1, verbosity=0)  # bulk_create only
    assert "Bulk post number 2" in anonymous(reverse("posts:home"))
