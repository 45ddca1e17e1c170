from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

URL = reverse("users:profile")


def _form(user, **overrides):
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "bio": user.bio,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_profile_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('users:login')}?next={URL}"


@pytest.mark.django_db
def test_profile_form_is_prefilled_with_the_users_own_details(client_logged_in, user):
    response = client_logged_in.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{user.email}"' in html
    assert 'value="Ann"' in html
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="id_avatar"' in html


@pytest.mark.django_db
def test_saving_the_profile_updates_names_and_bio_and_mails_a_new_email_a_link(
    client_logged_in, user, mailoutbox
):
    response = client_logged_in.post(
        URL,
        _form(
            user,
            first_name="Annie",
            last_name="Writer",
            email="annie@example.com",
            bio="Writes about birds.",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Annie", "Writer")
    assert user.email == "ann@example.com"  # until the link mailed to the new one is followed
    assert [m.to for m in mailoutbox] == [["annie@example.com"]]
    assert user.bio == "Writes about birds."
    assert any("updated" in str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.django_db
def test_the_profile_edits_only_the_signed_in_user(client_logged_in, user, make_user):
    other = make_user(username="bob", bio="Bob's bio")
    response = client_logged_in.post(
        URL, {**_form(user, bio="mine"), "id": other.pk, "username": "bob", "user": other.pk}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    user.refresh_from_db()
    assert other.bio == "Bob's bio"
    assert user.bio == "mine"
    assert user.username == "ann"


@pytest.mark.django_db
def test_keeping_ones_own_email_in_another_case_is_fine(client_logged_in, user, mailoutbox):
    response = client_logged_in.post(URL, _form(user, email="ANN@example.com"))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "ANN@example.com"  # one's own address: applied at once, no mail
    assert mailoutbox == []


@pytest.mark.django_db
def test_an_invalid_profile_shows_errors_and_changes_nothing(client_logged_in, user):
    response = client_logged_in.post(URL, _form(user, email="not-an-address", bio="x" * 1001))
    assert response.status_code == 200
    assert {"email", "bio"} <= set(response.context["form"].errors)
    user.refresh_from_db()
    assert user.bio == ""


@pytest.mark.django_db
def test_an_uploaded_avatar_is_reencoded_under_a_random_name(
    client_logged_in, user, make_image, media_root
):
    upload = make_image(exif=True, size=(40, 20), name="me-at-home.jpg")
    response = client_logged_in.post(URL, {**_form(user), "avatar": upload})
    assert response.status_code == 302
    user.refresh_from_db()
    assert re.fullmatch(rf"avatars/{user.pk}/[0-9a-f]{{32}}\.jpg", user.avatar.name)
    stored = Path(user.avatar.path)
    assert stored.is_relative_to(media_root)
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert not image.getexif()  # camera make and orientation gone
        assert image.size == (20, 40)  # the orientation was applied to the pixels


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        (
            "evil.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
        ("page.jpg", b"<!doctype html><script>alert(1)</script>", "image/jpeg"),
    ],
    ids=["svg", "html-renamed-jpg"],
)
def test_a_rejected_avatar_is_a_form_error_and_saves_nothing(
    client_logged_in, user, media_root, name, content, content_type
):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    response = client_logged_in.post(URL, {**_form(user, bio="changed"), "avatar": upload})
    assert response.status_code == 200
    assert "Upload a valid image" in " ".join(response.context["form"].errors["avatar"])
    user.refresh_from_db()
    assert not user.avatar
    assert user.bio == ""
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


@pytest.mark.django_db
def test_an_oversize_avatar_is_rejected_with_the_limit(
    client_logged_in, user, make_image, settings, media_root
):
    settings.IMAGE_MAX_BYTES = 100
    response = client_logged_in.post(URL, {**_form(user), "avatar": make_image(size=(64, 64))})
    assert response.status_code == 200
    assert "too large" in " ".join(response.context["form"].errors["avatar"])
    user.refresh_from_db()
    assert not user.avatar


@pytest.mark.django_db
def test_replacing_the_avatar_deletes_the_old_file_after_commit(
    client_logged_in, user, make_image, media_root, django_capture_on_commit_callbacks
):
    client_logged_in.post(URL, {**_form(user), "avatar": make_image()})
    user.refresh_from_db()
    old = Path(user.avatar.path)
    assert old.exists()

    with django_capture_on_commit_callbacks() as callbacks:
        client_logged_in.post(URL, {**_form(user), "avatar": make_image(color="tomato")})
        assert old.exists()  # still referenced until the transaction commits
    for callback in callbacks:
        callback()

    user.refresh_from_db()
    assert not old.exists()
    assert Path(user.avatar.path).exists()


@pytest.mark.django_db
def test_clearing_the_avatar_empties_the_field_and_deletes_the_file(
    client_logged_in, user, make_image, media_root, django_capture_on_commit_callbacks
):
    client_logged_in.post(URL, {**_form(user), "avatar": make_image()})
    user.refresh_from_db()
    old = Path(user.avatar.path)
    page = client_logged_in.get(URL).content.decode()
    assert 'name="avatar-clear"' in page
    assert user.avatar.url in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client_logged_in.post(URL, {**_form(user), "avatar-clear": "on"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.avatar
    assert not old.exists()


@pytest.mark.django_db
def test_saving_without_a_new_avatar_keeps_the_current_one(
    client_logged_in, user, make_image, media_root, django_capture_on_commit_callbacks
):
    client_logged_in.post(URL, {**_form(user), "avatar": make_image()})
    user.refresh_from_db()
    current = user.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        client_logged_in.post(URL, _form(user, bio="new bio"))
    user.refresh_from_db()
    assert user.avatar.name == current
    assert Path(user.avatar.path).exists()
    assert user.bio == "new bio"


@pytest.mark.django_db
def test_uploading_and_clearing_at_once_is_a_form_error(client_logged_in, user, make_image):
    response = client_logged_in.post(
        URL, {**_form(user), "avatar": make_image(), "avatar-clear": "on"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["avatar"]


@pytest.mark.django_db
def test_the_avatar_control_shows_the_picture_with_change_and_remove_not_the_key(
    client_logged_in, user, make_image, media_root
):
    client_logged_in.post(URL, {**_form(user), "avatar": make_image()})
    user.refresh_from_db()
    html = client_logged_in.get(URL).content.decode()
    control = html[html.index("data-image-picker") :]
    assert re.search(
        rf'<img class="image-picker-preview" alt="Your current avatar" width="96" height="96" '
        rf'src="{re.escape(user.avatar.url)}"',
        control,
    )
    assert ">Change</label>" in control
    assert re.search(r'name="avatar-clear" id="avatar-clear_id"> Remove</label>', control)
    assert "Currently" not in html
    assert f">{user.avatar.name}<" not in html  # the storage key is not shown as text
    assert "js/image-picker.js" in html


@pytest.mark.django_db
def test_without_an_avatar_the_control_offers_to_choose_one_and_nothing_to_remove(
    client_logged_in,
):
    html = client_logged_in.get(URL).content.decode()
    assert re.search(
        r'<img class="image-picker-preview" alt="Your current avatar"[^>]* hidden>', html
    )
    assert ">Choose a picture</label>" in html
    assert "avatar-clear" not in html
