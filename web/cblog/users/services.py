"""Writes for accounts: registration and profile updates.

Services validate what the database cannot (case-insensitive e-mail uniqueness) and raise
``ValidationError`` rather than letting an ``IntegrityError`` escape as a 500.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction

from cblog.users.models import User
from cblog.users.selectors import user_email_taken

EMAIL_TAKEN = "An account with this e-mail address already exists."


def user_register(*, username: str, email: str, password: str) -> User:
    """Create and return an active user with a hashed password.

    The password must already have passed the password validators (the form does that, since
    they compare it with the username and e-mail). Raises ``ValidationError`` when the username
    or the e-mail address (case-insensitively) is taken, including when a concurrent request
    wins the race between the form's check and the insert.
    """
    email = User.objects.normalize_email(email)
    if user_email_taken(email=email):
        raise ValidationError({"email": EMAIL_TAKEN})
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, email=email, password=password)
    except IntegrityError as exc:
        raise ValidationError(
            "This username or e-mail address was just taken. Please choose another.",
            code="taken",
        ) from exc


def profile_update(
    *,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    bio: str,
    avatar: File | None = None,
    clear_avatar: bool = False,
) -> User:
    """Update ``user``'s own profile and return it.

    ``avatar`` must be a file already cleaned by ``cblog.core.uploads.clean_image`` (re-encoded,
    random name); it replaces the current avatar. ``clear_avatar`` removes the avatar (ignored
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
            if avatar is not None:
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
