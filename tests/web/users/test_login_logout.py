from __future__ import annotations

import pytest
from django.contrib.auth import get_user
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

LOGIN = reverse("users:login")
LOGOUT = reverse("users:logout")


@pytest.mark.django_db
def test_login_page_has_labelled_fields_and_a_reset_link(client):
    response = client.get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username"' in html
    assert '<label for="id_password"' in html
    assert reverse("users:password_reset") in html


@pytest.mark.django_db
def test_logging_in_goes_to_the_home_page_with_a_welcome(client, user, password):
    response = client.post(LOGIN, {"username": user.username, "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("posts:home")
    assert get_user(client).pk == user.pk
    assert any("Welcome back" in str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.django_db
def test_login_follows_a_local_next_but_not_a_foreign_one(client, user, password):
    profile = reverse("users:profile")
    local = client.post(
        f"{LOGIN}?next={profile}", {"username": user.username, "password": password}
    )
    assert local["Location"] == profile

    client.logout()
    foreign = client.post(
        f"{LOGIN}?next=https://evil.example/", {"username": user.username, "password": password}
    )
    assert foreign["Location"] == reverse("posts:home")


@pytest.mark.django_db
def test_a_wrong_password_is_a_form_error(client, user):
    response = client.post(LOGIN, {"username": user.username, "password": "not-it"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'class="errorlist' in response.content.decode()
    assert not get_user(client).is_authenticated


@pytest.mark.django_db
def test_logout_by_get_does_nothing(client_logged_in, user):
    response = client_logged_in.get(LOGOUT)
    assert response.status_code == 405
    assert get_user(client_logged_in).pk == user.pk


@pytest.mark.django_db
def test_logout_by_post_signs_out_and_says_so(client_logged_in):
    response = client_logged_in.post(LOGOUT)
    assert response.status_code == 302
    assert response["Location"] == reverse("posts:home")
    assert not get_user(client_logged_in).is_authenticated
    assert any("logged out" in str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.django_db
def test_logout_without_a_csrf_token_is_forbidden(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(LOGOUT)
    assert response.status_code == 403
    assert get_user(client).pk == user.pk


@pytest.mark.django_db
def test_navigation_shows_who_is_signed_in_and_a_logout_form(client_logged_in, user):
    html = client_logged_in.get(reverse("users:profile")).content.decode()
    assert f'Signed in as <a href="{user.get_absolute_url()}">{user.username}</a>' in html
    assert f'action="{LOGOUT}" method="post"' in html


@pytest.mark.django_db
def test_a_next_pointing_at_the_login_page_itself_goes_home_instead_of_looping(
    client, user, password
):
    # The nav's "Log in" link on the login page carries next=/accounts/login/.
    response = client.post(
        f"{LOGIN}?next={LOGIN}", {"username": user.username, "password": password}
    )
    assert response["Location"] == reverse("posts:home")
    again = client.get(f"{LOGIN}?next={LOGIN}")
    assert again.status_code == 302
    assert again["Location"] == reverse("posts:home")
