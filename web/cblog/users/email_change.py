"""Changing a signed-in user's e-mail address without telling them who else uses an address.

The profile form never says "taken". A new address is only applied through a link mailed to
it (``confirm``): its owner proves they read it, and a typo never locks anybody out. When the
address already belongs to another account, that account's owner gets a note instead, and the
person asking sees exactly the same answer as for a free address.

The link is a signed, timestamped token (Django's ``signing``, valid for
``PASSWORD_RESET_TIMEOUT``) naming the user, the new address and the address it replaces: once
the change is applied (or the address changed otherwise) the old one no longer matches, so the
link works once. No table is needed.
"""

from __future__ import annotations

import enum

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction

from cblog.users.models import User
from cblog.users.selectors import user_email_taken

_SALT = "cblog.users.email-change"


class Request(enum.Enum):
    UNCHANGED = "unchanged"  # the same address, or the same in another case (applied at once)
    CONFIRM = "confirm"  # free: mail a confirmation link to it
    TAKEN = "taken"  # another account's: tell that account's owner


def classify(*, user: User, email: str) -> Request:
    """What asking to move ``user`` to ``email`` (normalized) should do."""
    if email.lower() == user.email.lower():
        return Request.UNCHANGED
    if user_email_taken(email=email, exclude=user):
        return Request.TAKEN
    return Request.CONFIRM


def token(*, user: User, email: str) -> str:
    """The confirmation token for moving ``user`` from their current address to ``email``."""
    return signing.dumps({"user": user.pk, "email": email, "from": user.email}, salt=_SALT)


def confirm(*, user: User, value: str) -> str | None:
    """Apply the change the token ``value`` names; return the new address, or None when the
    token is not ``user``'s, expired, already used, or the address was taken meanwhile."""
    try:
        data = signing.loads(value, salt=_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.BadSignature:  # tampered, or expired (SignatureExpired is a subclass)
        return None
    if not isinstance(data, dict) or data.get("user") != user.pk or data.get("from") != user.email:
        return None
    email = data.get("email")
    if not isinstance(email, str) or user_email_taken(email=email, exclude=user):
        return None
    user.email = email
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError:  # lost a race for the address
        user.refresh_from_db()
        return None
    return email
