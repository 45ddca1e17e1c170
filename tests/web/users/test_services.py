"""Service contracts the views cannot easily reach: races and rollbacks."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cblog.users import services
from cblog.users.models import User


@pytest.mark.django_db
def test_user_register_normalises_the_domain_and_hashes_the_password():
    user = services.user_register(username="eve", email="Eve@EXAMPLE.com", password="pw-12345-x")
    assert user.email == "Eve@example.com"
    assert user.password != "pw-12345-x"
    assert user.check_password("pw-12345-x")


@pytest.mark.django_db
def test_user_register_creates_nothing_for_an_email_taken_in_another_case(make_user):
    make_user(email="eve@example.com")
    assert services.user_register(username="eve2", email="EVE@example.com", password="x") is None
    assert not User.objects.filter(username="eve2").exists()


@pytest.mark.django_db
def test_a_registered_account_waits_for_confirmation():
    user = services.user_register(username="eve", email="eve@example.com", password="pw-12345-x")
    assert services.user_is_unconfirmed(user)
    services.user_confirm(user=user)
    user.refresh_from_db()
    assert user.is_active


@pytest.mark.django_db
def test_user_register_turns_a_lost_username_race_into_a_validation_error(make_user):
    # The form checked the name; a concurrent sign-up then took it before the insert.
    make_user(username="eve")
    with pytest.raises(ValidationError, match="just taken"):
        services.user_register(username="eve", email="new@example.com", password="x")
    assert User.objects.filter(username="eve").count() == 1


@pytest.mark.django_db
def test_profile_update_rejects_another_accounts_email(user, make_user):
    make_user(email="bob@example.com")
    with pytest.raises(ValidationError) as exc:
        services.profile_update(
            user=user, first_name="", last_name="", email="Bob@Example.com", bio=""
        )
    assert exc.value.message_dict == {"email": [services.EMAIL_TAKEN]}
    user.refresh_from_db()
    assert user.email == "ann@example.com"


@pytest.mark.django_db
def test_profile_update_that_loses_an_email_race_deletes_the_new_file(
    user, make_user, image_file, media_root, monkeypatch
):
    from cblog.core.uploads import clean_image

    make_user(email="bob@example.com")
    # Simulate the race window (another account takes the address between the check and the
    # save) by skipping the check; the database's unique index then refuses the row.
    monkeypatch.setattr(services, "user_email_taken", lambda **_: False)
    with pytest.raises(ValidationError) as exc:
        services.profile_update(
            user=user,
            first_name="Changed",
            last_name="",
            email="bob@example.com",
            bio="",
            avatar=clean_image(image_file),
        )
    assert exc.value.message_dict == {"email": [services.EMAIL_TAKEN]}
    assert not any(media_root.rglob("*.jpg"))
    assert user.first_name == "Ann"  # the in-memory user was restored
    assert not user.avatar


@pytest.mark.django_db
def test_profile_update_that_fails_in_the_database_leaves_no_new_file(user, image_file, media_root):
    from django.db import OperationalError, connection

    from cblog.core.uploads import clean_image

    def fail_updates(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("UPDATE"):
            raise OperationalError("simulated: the server went away mid-save")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_updates), pytest.raises(OperationalError):
        services.profile_update(
            user=user,
            first_name="",
            last_name="",
            email=user.email,
            bio="",
            avatar=clean_image(image_file),
        )
    assert not any(media_root.rglob("*.jpg"))
