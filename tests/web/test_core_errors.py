"""Error pages: a database outage is a friendly 503 without a stack trace, and it recovers."""

from __future__ import annotations

import socket

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory

from cblog.core.views import server_error


def _fail_every_query(execute, sql, params, many, context):
    raise OperationalError("simulated outage: the database does not answer")


def _assert_friendly_503(response) -> None:
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "right back" in html
    for leak in ("Traceback", "OperationalError", "simulated outage", 'File "'):
        assert leak not in html


@pytest.fixture
def anonymous() -> Client:
    # Like a real server: an exception becomes the error page instead of failing the test.
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_pages_answer_503_without_a_stack_trace_while_the_database_is_down(anonymous, user):
    url = user.get_absolute_url()
    with connection.execute_wrapper(_fail_every_query):
        _assert_friendly_503(anonymous.get(url))
    assert anonymous.get(url).status_code == 200  # recovers by itself


@pytest.mark.django_db
def test_a_signed_in_visitor_also_gets_the_503_page(client_logged_in, user):
    client_logged_in.raise_request_exception = False
    with connection.execute_wrapper(_fail_every_query):
        response = client_logged_in.get("/accounts/profile/")
    _assert_friendly_503(response)
    assert client_logged_in.get("/accounts/profile/").status_code == 200


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.mysql
@pytest.mark.django_db(transaction=True)
def test_a_real_lost_mysql_server_is_a_503_and_reconnects(anonymous, make_user):
    if connection.vendor != "mysql":
        pytest.skip("needs a database server to take away (run with DATABASE_URL=mysql://...)")
    url = make_user().get_absolute_url()
    settings_dict = connection.settings_dict
    original = (settings_dict["HOST"], settings_dict["PORT"])
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", _closed_port()
    try:
        _assert_friendly_503(anonymous.get(url))
        assert anonymous.get("/readyz").status_code == 503
    finally:
        settings_dict["HOST"], settings_dict["PORT"] = original
        connection.close()
    assert anonymous.get(url).status_code == 200
    assert anonymous.get("/readyz").status_code == 200


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
