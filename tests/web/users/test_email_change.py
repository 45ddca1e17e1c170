"""A signed-in user changing their e-mail address learns nothing about other accounts: the
answer is the same whether or not the address is taken, the change waits for a link mailed to
the new address, and an address's owner is told when someone tries to use it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cblog.users import email_change

URL = reverse("users:profile")


def _form(user, email):
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": email,
        "bio": user.bio,
    }


def _answer(response) -> tuple[list, int, list[str]]:
    """What the person asking sees (the redirect followed): where they went, the page's status
    and its messages, with the address they typed blanked."""
    messages = [re.sub(r"\S+@example\.com", "X", str(m)) for m in response.context["messages"]]
    return response.redirect_chain, response.status_code, messages


def _link(message) -> str:
    (url,) = re.findall(r"https?://\S+", message.body)
    return url.removeprefix("http://testserver")


@pytest.mark.django_db
def test_a_taken_address_gets_the_same_answer_as_a_free_one(
    client_logged_in, user, make_user, mailoutbox
):
    owner = make_user(username="bob", email="taken@example.com")
    taken = _answer(client_logged_in.post(URL, _form(user, "TAKEN@example.com"), follow=True))
    free = _answer(client_logged_in.post(URL, _form(user, "free@example.com"), follow=True))
    assert taken == free
    assert taken[:2] == ([(URL, 302)], 200)
    assert "We sent a link to X: your e-mail address changes when you follow it." in taken[2]
    # Nothing changed yet; each address's owner got a message, only the free one a link.
    user.refresh_from_db()
    assert user.email == "ann@example.com"
    in_use, change = mailoutbox
    assert in_use.to == ["TAKEN@example.com"]  # as typed: the same mailbox as the owner's
    assert "already belongs to your account" in in_use.body
    assert "/accounts/email/confirm/" not in in_use.body
    assert change.to == ["free@example.com"]
    assert "/accounts/email/confirm/" in change.body
    owner.refresh_from_db()
    assert owner.email == "taken@example.com"


@pytest.mark.django_db
def test_the_mailed_link_changes_the_address_once(client_logged_in, user, mailoutbox):
    client_logged_in.post(URL, _form(user, "free@example.com"))
    link = _link(mailoutbox[0])
    response = client_logged_in.get(link)
    assert response.status_code == 302
    assert response["Location"] == URL
    user.refresh_from_db()
    assert user.email == "free@example.com"
    assert client_logged_in.get(link).status_code == 400  # used: it names the old address


@pytest.mark.django_db
def test_the_link_works_only_for_the_account_that_asked(client, user, make_user, mailoutbox):
    client.force_login(user)
    client.post(URL, _form(user, "free@example.com"))
    link = _link(mailoutbox[0])
    other = make_user(username="bob", email="bob@example.com")
    client.force_login(other)
    assert client.get(link).status_code == 400
    other.refresh_from_db()
    assert other.email == "bob@example.com"
    client.logout()
    response = client.get(link)
    assert response.status_code == 302  # sign in first
    assert response["Location"].startswith(reverse("users:login"))


@pytest.mark.django_db
def test_an_address_taken_before_the_link_is_followed_is_not_applied(
    client_logged_in, user, make_user, mailoutbox
):
    client_logged_in.post(URL, _form(user, "free@example.com"))
    make_user(username="bob", email="FREE@example.com")
    assert client_logged_in.get(_link(mailoutbox[0])).status_code == 400
    user.refresh_from_db()
    assert user.email == "ann@example.com"


@pytest.mark.django_db
def test_a_tampered_or_expired_token_is_refused(user, settings):
    value = email_change.token(user=user, email="free@example.com")
    assert email_change.confirm(user=user, value=value[:-2] + "xx") is None
    settings.PASSWORD_RESET_TIMEOUT = -1
    assert email_change.confirm(user=user, value=value) is None
    user.refresh_from_db()
    assert user.email == "ann@example.com"
