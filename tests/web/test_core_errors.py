"""Error pages: a database outage is a friendly 503 without a stack trace, and it recovers."""

from __future__ import annotations

import socket

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import reverse

from cblog.core.views import server_error
from cblog.posts import services


def _fail_every_query(execute, sql, params, many, context):
    raise OperationalError("simulated outage: the database does not answer")


def _assert_friendly_503(response) -> None:
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "right back" in html
    for leak in ("Traceback", "OperationalError", "simulated outage", 'File "'):
        assert leak not in html
    # Never kept by the edge: the page must go as soon as the database is back.
    assert response["Cache-Control"] == "private, no-cache"


@pytest.fixture
def anonymous() -> Client:
    # Like a real server: an exception becomes the error page instead of failing the test.
    return Client(raise_request_exception=False)


@pytest.fixture
def pages(make_user):
    """Pages that read the database, anonymous and signed in, as (client, url) pairs."""
    author = make_user()
    post = services.post_create(author=author, title="Outage", body="b", status="published")
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(author)
    anonymous_urls = [
        reverse("posts:home"),
        post.get_absolute_url(),
        author.get_absolute_url(),
        reverse("posts:search") + "?q=outage",
        reverse("posts:feed_rss"),
        reverse("sitemap"),
    ]
    signed_in_urls = [reverse("posts:home"), reverse("users:profile"), reverse("posts:mine")]
    return [(Client(raise_request_exception=False), url) for url in anonymous_urls] + [
        (signed_in, url) for url in signed_in_urls
    ]


def _everything_answers(pages, probe: Client) -> None:
    for client, url in pages:
        assert client.get(url).status_code == 200, url
    assert probe.get("/readyz").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_while_the_database_is_down_pages_are_503_and_readyz_too_then_all_recover(pages):
    # Simulated at Django's query layer, so it runs on SQLite and on MariaDB alike; the probe
    # closes the connection on failure, hence a transactional test.
    probe = Client()
    _everything_answers(pages, probe)
    with connection.execute_wrapper(_fail_every_query):
        for client, url in pages:
            _assert_friendly_503(client.get(url))
        ready = probe.get("/readyz")
        assert ready.status_code == 503
        assert ready["Cache-Control"] == "no-store"
    _everything_answers(pages, probe)  # no restart: the next requests just work


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.mysql
@pytest.mark.django_db(transaction=True)
def test_a_real_lost_mysql_server_is_a_503_and_reconnects(pages):
    if connection.vendor != "mysql":
        pytest.skip("needs a database server to take away (run with DATABASE_URL=mysql://...)")
    probe = Client()
    _everything_answers(pages, probe)
    settings_dict = connection.settings_dict
    original = (settings_dict["HOST"], settings_dict["PORT"])
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", _closed_port()
    try:
        for client, url in pages:
            _assert_friendly_503(client.get(url))
        assert probe.get("/readyz").status_code == 503
    finally:
        settings_dict["HOST"], settings_dict["PORT"] = original
        connection.close()
    _everything_answers(pages, probe)


def test_any_other_unhandled_error_is_a_plain_500():
    request = RequestFactory().get("/")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "boom" not in html
    assert not response.has_header("Retry-After")


@pytest.mark.django_db
def test_unknown_pages_get_the_friendly_404(client):
    response = client.get("/authors/nobody/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_robots_txt_keeps_crawlers_out_of_accounts_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Disallow: /accounts/" in body
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body
