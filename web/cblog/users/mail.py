"""The messages registration and an e-mail change send. Each goes to the address that was
entered, so only its owner learns whether it already had an account."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cblog.users.models import User


def _send(request: HttpRequest, email: str, template: str, **context: object) -> None:
    context = {"site_name": settings.SITE_NAME, **context}
    subject = render_to_string(f"registration/{template}_subject.txt", context)
    body = render_to_string(f"registration/{template}_email.txt", context, request=request)
    send_mail(" ".join(subject.split()), body, None, [email])


def send_confirmation(request: HttpRequest, user: User) -> None:
    """The link that confirms (activates) a new account; valid until it is used or expires
    (PASSWORD_RESET_TIMEOUT)."""
    path = reverse(
        "users:confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    _send(request, user.email, "confirm", user=user, url=request.build_absolute_uri(path))


def send_account_exists(request: HttpRequest, email: str) -> None:
    """Tell the address's owner that somebody tried to register it again."""
    _send_owner_note(request, email, "account_exists")


def send_email_change(request: HttpRequest, user: User, email: str, token: str) -> None:
    """The link that moves ``user``'s account to ``email``, sent to that address."""
    path = reverse("users:email_confirm", kwargs={"token": token})
    _send(request, email, "email_change", user=user, url=request.build_absolute_uri(path))


def send_email_in_use(request: HttpRequest, email: str) -> None:
    """Tell the address's owner that a signed-in user tried to move their account to it."""
    _send_owner_note(request, email, "email_in_use")


def _send_owner_note(request: HttpRequest, email: str, template: str) -> None:
    """A note to an address that has an account, with the links to log in or reset."""
    _send(
        request,
        email,
        template,
        login_url=request.build_absolute_uri(reverse("users:login")),
        reset_url=request.build_absolute_uri(reverse("users:password_reset")),
    )
