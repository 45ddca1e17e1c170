from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

NEW_PASSWORD = "another-long-unusual-passphrase"


@pytest.mark.django_db
def test_password_change_needs_a_login(client):
    url = reverse("users:password_change")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("users:login"))


@pytest.mark.django_db
def test_changing_the_password_keeps_the_user_signed_in(client_logged_in, user, password):
    response = client_logged_in.post(
        reverse("users:password_change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("users:password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert get_user(client_logged_in).pk == user.pk  # session hash was updated
    assert any("changed" in str(m) for m in get_messages(response.wsgi_request))
    done = client_logged_in.get(response["Location"])
    assert done.status_code == 200
    assert "Password changed" in done.content.decode()


@pytest.mark.django_db
def test_a_wrong_old_password_is_a_field_error(client_logged_in, user):
    response = client_logged_in.post(
        reverse("users:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    user.refresh_from_db()
    assert not user.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_password_reset_mails_a_working_link_to_a_known_address(client, user):
    response = client.post(reverse("users:password_reset"), {"email": user.email.upper()})
    assert response.status_code == 302
    assert response["Location"] == reverse("users:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "cblog" in message.subject
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body)
    assert link, message.body

    # The link swaps the token for a session-held one, then shows the new-password form.
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("users:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(done["Location"]).status_code == 200

    # A used link is dead.
    again = client.get(link.group(1), follow=True)
    assert again.context["validlink"] is False
    assert "no longer valid" in again.content.decode()


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_reveals_nothing(client, user):
    known = client.post(reverse("users:password_reset"), {"email": user.email})
    mail.outbox.clear()
    unknown = client.post(reverse("users:password_reset"), {"email": "nobody@example.com"})
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert mail.outbox == []
    page = client.get(unknown["Location"]).content.decode()
    assert "nobody@example.com" not in page
    assert "If an account uses the address" in page
