"""Login throttling: django-axes on the database, slowed first, then refused for a while."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user
from django.db.models import F
from django.test import Client, RequestFactory
from django.urls import reverse

from cblog.users.throttle import client_ip

LOGIN = reverse("users:login")
ADMIN_LOGIN = reverse("admin:login")


def _age(seconds: float) -> None:
    """Let time pass for the recorded failures (they move into the past)."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=seconds))


def _fail(client: Client, username: str, url: str = LOGIN, **extra: str) -> int:
    return client.post(url, {"username": username, "password": "wrong-guess"}, **extra).status_code


@pytest.mark.django_db
def test_three_failures_slow_the_next_attempt_with_a_clear_message(client, user, password):
    for _ in range(3):
        assert _fail(client, user.username) == 200  # the form's own error
    response = client.post(LOGIN, {"username": user.username, "password": password})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Please wait" in response.content.decode()
    assert not get_user(client).is_authenticated  # the password was not even checked

    _age(2)
    response = client.post(LOGIN, {"username": user.username, "password": password})
    assert response.status_code == 302
    assert get_user(client).pk == user.pk
    assert not AccessAttempt.objects.exists()  # a success clears the record


@pytest.mark.django_db
def test_the_wait_doubles_with_each_failure(client, user):
    for _ in range(3):
        _fail(client, user.username)
    waits = []
    for _ in range(4):
        _age(120)  # past any wait, within the 15-minute window
        assert _fail(client, user.username) == 200
        waits.append(int(client.post(LOGIN, {"username": user.username})["Retry-After"]))
    assert waits == [2, 4, 8, 16]


@pytest.mark.django_db
def test_ten_failures_refuse_the_account_for_fifteen_minutes_even_with_the_password(
    client, user, password
):
    for attempt in range(10):
        _age(61)
        status = _fail(client, user.username)
        assert status == (429 if attempt == 9 else 200)
    _age(61)
    response = client.post(LOGIN, {"username": user.username, "password": password})
    assert response.status_code == 429
    assert "try again in 14 minutes" in response.content.decode()
    assert not get_user(client).is_authenticated

    # From another address too: the account itself is refused.
    other = Client(REMOTE_ADDR="198.51.100.7")
    response = other.post(LOGIN, {"username": user.username, "password": password})
    assert response.status_code == 429

    _age(15 * 60)
    response = client.post(LOGIN, {"username": user.username, "password": password})
    assert response.status_code == 302
    assert get_user(client).pk == user.pk


@pytest.mark.django_db
def test_failures_from_one_address_slow_every_account_from_it_but_not_other_addresses(
    client, make_user, password
):
    victim = make_user(username="victim")
    for name in ("a", "b", "c"):
        _fail(client, name)  # three different (even unknown) accounts
    response = client.post(LOGIN, {"username": victim.username, "password": password})
    assert response.status_code == 429

    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    response = elsewhere.post(LOGIN, {"username": victim.username, "password": password})
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_admin_login_is_throttled_too(make_user, password):
    admin = make_user(username="boss", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(3):
        assert _fail(client, admin.username, ADMIN_LOGIN) == 200
    response = client.post(ADMIN_LOGIN, {"username": admin.username, "password": password})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    for _ in range(7):
        _age(61)
        _fail(client, admin.username, ADMIN_LOGIN)
    _age(61)
    response = client.post(ADMIN_LOGIN, {"username": admin.username, "password": password})
    assert response.status_code == 429
    assert "paused" in response.content.decode()


@pytest.mark.django_db
def test_behind_cloudfront_and_the_alb_each_viewer_is_counted_on_its_own(client, user, password):
    # Same peer (the ALB) for everybody; the viewer is the second X-Forwarded-For entry from
    # the right, whatever the client put in front of it.
    def via_cdn(viewer: str, spoofed: str = "") -> dict[str, str]:
        chain = ", ".join(filter(None, [spoofed, viewer, "130.176.1.1"]))
        return {"REMOTE_ADDR": "10.0.1.20", "HTTP_X_FORWARDED_FOR": chain}

    for n in range(3):
        _fail(client, f"nobody{n}", **via_cdn("192.0.2.10", spoofed=f"10.9.9.{n}"))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}
    blocked = client.post(
        LOGIN, {"username": user.username, "password": password}, **via_cdn("192.0.2.10")
    )
    assert blocked.status_code == 429
    other = Client().post(
        LOGIN, {"username": user.username, "password": password}, **via_cdn("192.0.2.11")
    )
    assert other.status_code == 302


@pytest.mark.parametrize(
    ("forwarded", "hops", "expected"),
    [
        ("", 2, "10.0.0.5"),  # no proxy header: the peer
        ("192.0.2.1, 130.176.1.1", 2, "192.0.2.1"),
        ("6.6.6.6, 192.0.2.1, 130.176.1.1", 2, "192.0.2.1"),  # a spoofed entry is ignored
        ("192.0.2.1", 2, "192.0.2.1"),  # one proxy skipped: the only entry
        ("192.0.2.1, 130.176.1.1", 1, "130.176.1.1"),
        ("192.0.2.1, 130.176.1.1", 0, "10.0.0.5"),  # no proxies trusted
        ("not-an-address, 130.176.1.1", 2, "10.0.0.5"),
        ("2001:db8::1, 130.176.1.1", 2, "2001:db8::1"),
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(settings, forwarded, hops, expected):
    settings.CLIENT_IP_PROXY_COUNT = hops
    meta = {"REMOTE_ADDR": "10.0.0.5"}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(RequestFactory().get("/", **meta)) == expected
