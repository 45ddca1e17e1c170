"""Health probes answer load balancers: any Host, plain HTTP, and /healthz without a database."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.test import Client

PRIVATE_IP = "10.0.12.34"


@pytest.fixture
def behind_alb(settings):
    """Production's redirect to HTTPS on; the probe comes by private IP over plain HTTP."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["blog.example.com"]
    return Client(HTTP_HOST=PRIVATE_IP)


def _fail_every_query(execute, sql, params, many, context):
    raise OperationalError("simulated outage: the database does not answer")


def test_healthz_answers_a_private_ip_host_over_http_without_the_database(behind_alb):
    # No db fixture: pytest-django would fail the test if the probe touched the database.
    response = behind_alb.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_answers_a_private_ip_host_when_the_database_is_up(behind_alb):
    response = behind_alb.get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ready"


@pytest.mark.django_db
def test_other_pages_still_refuse_that_host_and_redirect_plain_http(behind_alb):
    # The same request to any other path meets the normal protections.
    assert behind_alb.get("/accounts/login/").status_code == 400
    redirected = Client(HTTP_HOST="blog.example.com").get("/accounts/login/")
    assert redirected.status_code == 301
    assert redirected["Location"] == "https://blog.example.com/accounts/login/"


@pytest.mark.django_db(transaction=True)
def test_readyz_is_503_while_the_database_is_down_and_recovers(behind_alb):
    # Outage simulated at Django's query layer, so it works on SQLite and MariaDB alike; the
    # probe closes the connection on failure, hence a transactional test.
    with connection.execute_wrapper(_fail_every_query):
        down = behind_alb.get("/readyz")
    assert down.status_code == 503
    assert down.content == b"database unavailable"
    assert down["Cache-Control"] == "no-store"

    assert behind_alb.get("/readyz").status_code == 200
