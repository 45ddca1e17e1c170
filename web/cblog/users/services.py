"""Writes for accounts: registration and profile updates.

Services validate what the database cannot (case-insensitive e-mail uniqueness) and raise
``ValidationError`` rather than letting an ``IntegrityError`` escape as a 500.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction

from cblog.users.models import User
from cblog.users.selectors import user_email_taken

EMAIL_TAKEN = "An account with this e-mail address already exists."


def user_register(*, username: str, email: str, password: str) -> User | None:
    """Create an account awaiting e-mail confirmation (inactive); ``None`` if the address
    already belongs to an account, which is left untouched.

    The caller answers both cases the same way and mails the address (``cblog.users.mail``),
    so the form cannot be used to find out who has an account. The password is hashed in both
    cases, so the time taken tells nothing either. It must already have passed the password
    validators (the form does that). Raises ``ValidationError`` when the username is taken,
    including when a concurrent request wins the race between the form's check and the insert.
    """
    email = User.objects.normalize_email(email)
    if user_email_taken(email=email):
        make_password(password)  # the same work as creating the account
        return None
    try:
        with transaction.atomic():
            return User.objects.create_user(
                username=username, email=email, password=password, is_active=False
            )
    except IntegrityError as exc:
        if user_email_taken(email=email):  # lost a race for the address
            return None
        raise ValidationError(
            "This username was just taken. Please choose another.", code="taken"
        ) from exc


def user_is_unconfirmed(user: User) -> bool:
    """Registered but never confirmed: inactive and never signed in (not one an admin disabled)."""
    return not user.is_active and user.last_login is None


def user_confirm(*, user: User) -> User:
    """Activate an account whose owner has proved the address (confirmation or reset link)."""
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


def profile_update(
    *,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    bio: str,
    avatar: File | str | None = None,
    clear_avatar: bool = False,
) -> User:
    """Update ``user``'s own profile and return it.

    ``avatar`` must be a file already cleaned by ``cblog.core.uploads.clean_image`` (re-encoded,
    random name), or the storage name of a promoted direct upload; it replaces the current
    avatar. ``clear_avatar`` removes the avatar (ignored
    when a new one is given). The replaced file is deleted only once the transaction commits,
    so a rollback never leaves the row pointing at a deleted file. Raises ``ValidationError``
    when the e-mail address belongs to another account.
    """
    email = User.objects.normalize_email(email)
    if user_email_taken(email=email, exclude=user):
        raise ValidationError({"email": EMAIL_TAKEN})

    old_avatar = user.avatar.name or ""
    storage = user.avatar.storage
    user.first_name = first_name
    user.last_name = last_name
    user.email = email
    user.bio = bio
    new_avatar = ""
    try:
        with transaction.atomic():
            if isinstance(avatar, str):  # a direct upload, already in the media storage
                user.avatar = avatar
                new_avatar = avatar
            elif avatar is not None:
                user.avatar.save(avatar.name, avatar, save=False)
                new_avatar = user.avatar.name
            elif clear_avatar:
                user.avatar = ""  # what the admin and ClearableFileInput store
            user.save(update_fields=["first_name", "last_name", "email", "bio", "avatar"])
            if old_avatar and old_avatar != (user.avatar.name or ""):
                transaction.on_commit(lambda: storage.delete(old_avatar))
    except Exception as exc:
        # The new file never became part of a saved row: do not leave it behind.
        if new_avatar:
            storage.delete(new_avatar)
        if isinstance(exc, IntegrityError):  # lost a race for the address
            user.refresh_from_db()
            raise ValidationError({"email": EMAIL_TAKEN}) from exc
        raise
    return user
