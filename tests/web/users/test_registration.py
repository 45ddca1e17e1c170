from __future__ import annotations

import pytest
from django.contrib.auth import get_user
from django.contrib.messages import get_messages
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


@pytest.mark.django_db
def test_registering_creates_the_user_signs_them_in_and_goes_home(client):
    response = client.post(URL, _form())
    assert response.status_code == 302
    assert response["Location"] == reverse("posts:home")
    user = User.objects.get(username="newbie")
    assert user.email == "newbie@example.com"
    assert user.check_password("a-long-and-unusual-passphrase")
    assert get_user(client).pk == user.pk
    assert any("Welcome" in str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.django_db
def test_email_taken_in_another_case_is_a_field_error(client, make_user):
    make_user(email="taken@example.com")
    response = client.post(URL, _form(email="TAKEN@example.com"))
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not User.objects.filter(username="newbie").exists()


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
def test_an_email_taken_between_the_form_check_and_the_save_is_a_form_error(
    client, make_user, monkeypatch
):
    # Simulate the race: the form's check passes, then the service finds the address taken.
    from cblog.users import forms

    make_user(email="late@example.com")
    monkeypatch.setattr(forms, "user_email_taken", lambda **_: False)
    response = client.post(URL, _form(email="LATE@example.com"))
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "An account with this e-mail address already exists."
    ]
    assert not User.objects.filter(username="newbie").exists()


@pytest.mark.django_db
def test_a_user_is_shown_by_username(make_user):
    assert str(make_user(username="zoe")) == "zoe"
