from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cblog.users.models import User


@pytest.fixture
def admin_client_(make_user) -> Client:
    client = Client()
    client.force_login(make_user(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_admin_creates_users_with_distinct_email_addresses(admin_client_):
    url = reverse("admin:users_user_add")
    for name in ("first", "second"):
        response = admin_client_.post(
            url,
            {
                "username": name,
                "email": f"{name}@example.com",
                "usable_password": "true",
                "password1": "a-long-and-unusual-passphrase",
                "password2": "a-long-and-unusual-passphrase",
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(User.objects.values_list("email", flat=True)) >= {
        "first@example.com",
        "second@example.com",
    }


@pytest.mark.django_db
def test_admin_add_form_requires_an_email(admin_client_):
    response = admin_client_.post(
        reverse("admin:users_user_add"),
        {"username": "noemail", "usable_password": "false"},
    )
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="noemail").exists()


@pytest.mark.django_db
def test_admin_change_page_shows_the_profile_fields(admin_client_, user):
    response = admin_client_.get(reverse("admin:users_user_change", args=[user.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="bio"' in html
    assert 'name="avatar"' in html
