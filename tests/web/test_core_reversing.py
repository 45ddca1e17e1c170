"""Remembered URLs: the same answers as Django's ``reverse`` and ``{% url %}``, errors included,
for every URLconf and script prefix."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.urls.base import get_script_prefix

from cblog.core.reversing import _reverse, cached_reverse
from cblog.posts.models import Post


@pytest.fixture(autouse=True)
def forget() -> None:
    _reverse.cache_clear()


@pytest.mark.parametrize(
    ("viewname", "args", "kwargs"),
    [
        ("posts:home", None, None),
        ("posts:detail", None, {"slug": "a-post"}),
        ("posts:like", ["a-post"], None),
        ("posts:comment_delete", [42], None),
        ("users:author", None, {"username": "zoë"}),
    ],
)
def test_answers_as_reverse_does_and_remembers(viewname, args, kwargs):
    expected = reverse(viewname, args=args, kwargs=kwargs)
    assert cached_reverse(viewname, args, kwargs) == expected
    assert cached_reverse(viewname, args, kwargs) == expected
    assert _reverse.cache_info().hits == 1


def test_a_wrong_name_or_argument_raises_and_is_not_remembered():
    with pytest.raises(NoReverseMatch):
        cached_reverse("posts:detail", kwargs={"slug": "not a slug"})
    with pytest.raises(NoReverseMatch):
        cached_reverse("posts:nowhere")
    assert _reverse.cache_info().currsize == 0


def test_an_object_argument_is_not_remembered():
    """Its text could change while it stays equal (a model compares by primary key)."""
    post = Post(pk=1, slug="s", title="first-title")
    assert cached_reverse("posts:like", [post]) == "/posts/first-title/like/"
    post.title = "second-title"
    assert cached_reverse("posts:like", [post]) == "/posts/second-title/like/"
    assert _reverse.cache_info().currsize == 0


def test_the_script_prefix_is_part_of_the_answer():
    before = get_script_prefix()
    assert cached_reverse("posts:home") == "/"
    try:
        set_script_prefix("/blog/")
        assert cached_reverse("posts:home") == "/blog/"
    finally:
        set_script_prefix(before)
    assert cached_reverse("posts:home") == "/"


def test_another_urlconf_gets_its_own_answers(settings):
    assert cached_reverse("posts:home") == "/"
    settings.ROOT_URLCONF = "tests.web.urls_under_prefix"
    assert cached_reverse("posts:home") == "/under/"


def test_the_url_tag_renders_as_djangos():
    request = RequestFactory().get("/")
    source = (
        "{% url 'posts:detail' slug=slug %}|{% url 'posts:like' slug %}|"
        "{% url 'posts:home' as home %}[{{ home }}]|{% url 'posts:missing' as gone %}[{{ gone }}]"
    )
    html = Template(source).render(Context({"slug": "a-post", "request": request}))
    assert html == "/posts/a-post/|/posts/a-post/like/|[/]|[]"
    with pytest.raises(NoReverseMatch):
        Template("{% url 'posts:missing' %}").render(Context())


def test_the_url_tag_escapes_like_djangos():
    html = Template("{% url 'users:author' username=name %}").render(Context({"name": "a&b"}))
    assert html == reverse("users:author", kwargs={"username": "a&b"}).replace("&", "&amp;")
