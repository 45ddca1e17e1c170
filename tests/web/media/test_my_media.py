from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cblog.media import index

pytestmark = pytest.mark.django_db
URL = reverse("media:mine")


def test_my_media_lists_my_live_objects_newest_first(client_logged_in, user, put_entry):
    put_entry(user.pk, "old.jpg", created_at="2026-11-01T00:00:00Z")
    put_entry(user.pk, "new.jpg", created_at="2026-11-02T00:00:00Z")
    put_entry(user.pk, "gone.jpg", deleted=True)
    put_entry(user.pk + 1000, "someone-else.jpg")
    response = client_logged_in.get(URL)
    assert response.status_code == 200
    keys = [row.entry.key for row in response.context["rows"]]
    assert keys == [f"media/images/{user.pk}/new.jpg", f"media/images/{user.pk}/old.jpg"]
    html = response.content.decode()
    assert "2.0\xa0KB" in html
    assert "image/jpeg" in html
    assert response["Cache-Control"] == "private, no-cache"  # one user's list, never shared


def test_my_media_queries_the_owner_index_and_never_scans(client_logged_in, user, put_entry):
    put_entry(user.pk, "a.jpg")
    calls: list[str] = []
    client = index.media_table().meta.client
    client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )
    client_logged_in.get(URL)
    assert calls == ["Query"]


def test_staff_may_list_everyones_media(make_user, put_entry):
    staff = make_user(is_staff=True)
    put_entry(staff.pk, "mine.jpg")
    put_entry(staff.pk + 1, "theirs.mp4", kind="videos", content_type="video/mp4")
    client = Client()
    client.force_login(staff)
    everyone = client.get(URL, {"all": "1"})
    assert len(everyone.context["rows"]) == 2
    assert "video/mp4" in everyone.content.decode()


def test_all_is_ignored_for_non_staff(client_logged_in, user, put_entry):
    put_entry(user.pk, "mine.jpg")
    put_entry(user.pk + 1, "theirs.jpg")
    response = client_logged_in.get(URL, {"all": "1"})
    assert [r.entry.owner for r in response.context["rows"]] == [str(user.pk)]


def test_media_is_paginated_with_a_cursor(client_logged_in, user, put_entry, monkeypatch):
    monkeypatch.setattr(index, "PAGE_SIZE", 2)
    for n in range(3):
        put_entry(user.pk, f"{n}.jpg", created_at=f"2026-11-0{n + 1}T00:00:00Z")
    first = client_logged_in.get(URL)
    assert len(first.context["rows"]) == 2
    cursor = first.context["next_cursor"]
    assert cursor
    second = client_logged_in.get(URL, {"cursor": cursor})
    assert [r.entry.key.rsplit("/", 1)[1] for r in second.context["rows"]] == ["0.jpg"]
    assert client_logged_in.get(URL, {"cursor": "not base64!"}).status_code == 200


def test_an_unreachable_index_is_reported_and_the_site_carries_on(
    client_logged_in, settings, monkeypatch
):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings.MEDIA_INDEX_TABLE = "cblog-media-index"
    settings.AWS_ENDPOINT_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    index._table.cache_clear()
    response = client_logged_in.get(URL)
    assert response.status_code == 503
    assert "cannot be reached" in response.content.decode()
    assert client_logged_in.get(reverse("posts:home")).status_code == 200
    index._table.cache_clear()


def test_an_unconfigured_index_is_reported_when_media_are_in_a_bucket(client_logged_in, settings):
    settings.MEDIA_INDEX_TABLE = ""
    settings.MEDIA_BUCKET = "cblog-media"  # the files cannot be listed without the index
    assert client_logged_in.get(URL).status_code == 503


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("users:login") in response["Location"]
