from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from cblog.users.models import User

URL = reverse("users:register")


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "username": "newbie",
        "email": "newbie@example.com",
        "password1": "a-long-and-unusual-passphrase",
        "password2": "a-long-and-unusual-passphrase",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_register_page_shows_labelled_fields(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("username", "email", "password1", "password2"):
        assert f'<label for="id_{field}"' in html
    assert "csrfmiddlewaretoken" in html


def _link(message) -> str:
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


@pytest.mark.django_db
def test_registering_mails_a_link_that_confirms_the_account_and_signs_in(client):
    response = client.post(URL, _form())
    assert response.status_code == 302
    assert response["Location"] == reverse("users:register_done")
    user = User.objects.get(username="newbie")
    assert user.email == "newbie@example.com"
    assert user.check_password("a-long-and-unusual-passphrase")
    assert not user.is_active
    assert not get_user(client).is_authenticated
    # Not yet: an unconfirmed account cannot sign in.
    login = client.post(
        reverse("users:login"),
        {"username": "newbie", "password": "a-long-and-unusual-passphrase"},
    )
    assert login.status_code == 200

    [message] = mail.outbox
    assert message.to == ["newbie@example.com"]
    assert "Confirm your account" in message.subject
    confirmed = client.get(_link(message))
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("posts:home")
    user.refresh_from_db()
    assert user.is_active
    assert get_user(client).pk == user.pk
    assert any("Welcome" in str(m) for m in get_messages(confirmed.wsgi_request))
    # The link works once.
    client.logout()
    assert client.get(_link(message)).status_code == 400


@pytest.mark.django_db
def test_a_taken_email_gets_the_same_answer_and_its_owner_a_note(client, make_user):
    owner = make_user(email="taken@example.com")
    fresh = client.post(URL, _form(username="first", email="fresh@example.com"))
    taken = client.post(URL, _form(username="second", email="TAKEN@example.com"))
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert client.get(taken["Location"]).content == client.get(fresh["Location"]).content
    assert not User.objects.filter(username="second").exists()
    owner.refresh_from_db()
    assert owner.email == "taken@example.com"

    note = mail.outbox[-1]
    assert note.to == ["TAKEN@example.com"]
    assert "already have an account" in note.body
    assert reverse("users:password_reset") in note.body
    assert "second" not in note.body


@pytest.mark.django_db
def test_a_bad_confirmation_link_is_refused(client):
    client.post(URL, _form())
    link = _link(mail.outbox[0])
    response = client.get(link[:-3] + "xyz/")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert not User.objects.get(username="newbie").is_active


@pytest.mark.django_db
def test_an_address_registered_by_somebody_else_is_recovered_by_a_password_reset(client):
    # Somebody registers the owner's address first and never confirms it.
    client.post(URL, _form(username="squatter", email="owner@example.com"))
    mail.outbox.clear()
    client.post(reverse("users:password_reset"), {"email": "owner@example.com"})
    [message] = mail.outbox
    reset = client.get(_link(message), follow=True)
    new_password = "the-owners-own-passphrase"
    done = client.post(
        reset.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    user = User.objects.get(email="owner@example.com")
    assert user.is_active
    assert user.check_password(new_password)


@pytest.mark.django_db
def test_an_account_disabled_by_an_admin_is_not_reopened_by_a_reset(client, make_user):
    disabled = make_user(email="gone@example.com", is_active=False)
    disabled.last_login = disabled.date_joined
    disabled.save()
    client.post(reverse("users:password_reset"), {"email": "gone@example.com"})
    assert mail.outbox == []


@pytest.mark.django_db
def test_username_taken_in_another_case_is_a_field_error(client, make_user):
    make_user(username="Ann")
    response = client.post(URL, _form(username="ann"))
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.filter(username__iexact="ann").count() == 1


@pytest.mark.django_db
def test_mismatched_passwords_are_a_field_error(client):
    response = client.post(URL, _form(password2="something-else-entirely"))
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password",
    ["password", "12345678901", "short", "newbie123"],
    ids=["common", "numeric", "too-short", "like-username"],
)
def test_weak_passwords_are_rejected_by_djangos_validators(client, password):
    response = client.post(URL, _form(password1=password, password2=password))
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert 'class="errorlist' in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_an_empty_submission_shows_errors_not_a_500(client):
    response = client.post(URL, {})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"username", "email", "password1", "password2"} <= set(errors)


@pytest.mark.django_db
def test_a_signed_in_user_is_sent_home_instead_of_registering(client_logged_in):
    response = client_logged_in.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("posts:home")


@pytest.mark.django_db
def test_registration_without_a_csrf_token_is_forbidden():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(URL, _form())
    assert response.status_code == 403
    assert not User.objects.exists()


@pytest.mark.django_db
def test_an_email_taken_between_the_form_check_and_the_save_answers_the_same(
    client, make_user, monkeypatch
):
    # Simulate the race: the service's check passes, then the insert finds the address taken.
    from cblog.users import services

    make_user(email="late@example.com")
    checks = iter([False, True])
    monkeypatch.setattr(services, "user_email_taken", lambda **_: next(checks))
    response = client.post(URL, _form(email="late@example.com"))
    assert response.status_code == 302
    assert response["Location"] == reverse("users:register_done")
    assert not User.objects.filter(username="newbie").exists()
    assert "already have an account" in mail.outbox[-1].body


@pytest.mark.django_db
def test_a_user_is_shown_by_username(make_user):
    assert str(make_user(username="zoe")) == "zoe"
