"""The editor's Markdown preview endpoint: signed in, POST with CSRF, capped, rate-limited,
and rendered by the same sanitising pipeline as a saved post."""

from __future__ import annotations

from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from cblog.posts import preview
from cblog.posts.markdown import render_markdown

pytestmark = pytest.mark.django_db
URL = reverse("posts:preview")
HOSTILE = (
    "## Dawn\n\n**Boats** and _gulls_.\n\n<script>alert(1)</script>\n\n"
    '[tap](javascript:alert(2)) <img src=x onerror="alert(3)">\n\n- nets\n- ropes'
)


def test_the_preview_is_the_saved_posts_sanitised_html(client_logged_in):
    response = client_logged_in.post(URL, {"body": HOSTILE})
    assert response.status_code == 200
    html = response.json()["html"]
    assert html == render_markdown(HOSTILE)
    assert "<h2>Dawn</h2>" in html
    assert "<strong>Boats</strong>" in html
    assert "<li>nets</li>" in html
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert "no-store" in response["Cache-Control"]


def test_the_preview_needs_a_signed_in_writer(client):
    response = client.post(URL, {"body": "**x**"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("users:login"))


def test_the_preview_is_post_only_and_checks_the_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get(URL).status_code == 405
    assert client.post(URL, {"body": "**x**"}).status_code == 403


def test_a_body_over_the_cap_is_refused_before_rendering(client_logged_in):
    with mock.patch.object(preview, "render_markdown") as render:
        response = client_logged_in.post(URL, {"body": "a" * (preview.MAX_BYTES + 1)})
    assert response.status_code == 413
    assert response.json()["error"] == "The text is too long to preview."
    render.assert_not_called()


def test_previews_beyond_the_rate_are_refused_for_that_writer_only(
    redis_cache, client_logged_in, make_user, monkeypatch
):
    monkeypatch.setattr(preview, "PER_MINUTE", 3)
    monkeypatch.setattr(preview.time, "time", lambda: 1_000_020.0)  # one clock minute
    answers = [client_logged_in.post(URL, {"body": "x"}).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    other = Client()
    other.force_login(make_user())
    assert other.post(URL, {"body": "x"}).status_code == 200
    monkeypatch.setattr(preview.time, "time", lambda: 1_000_080.0)  # the next minute
    assert client_logged_in.post(URL, {"body": "x"}).status_code == 200


def test_the_editor_links_its_preview_endpoint(client_logged_in):
    html = client_logged_in.get(reverse("posts:create")).content.decode()
    assert f'data-preview-url="{URL}"' in html
