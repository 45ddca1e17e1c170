"""Account forms. They validate input; the services in ``services.py`` do the writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from django import forms
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile

from cblog.core.uploads import clean_image
from cblog.media.forms import DirectUploadMixin
from cblog.media.widgets import ImagePicker
from cblog.users.models import User
from cblog.users.services import user_is_unconfirmed

AVATAR_ACCEPT = "image/jpeg,image/png,image/webp"


class RegistrationForm(UserCreationForm):
    """Username, e-mail and password twice, checked by Django's password validators.

    Usernames are unique case-insensitively (Django's own check). The e-mail address is not
    checked here at all: whether it has an account must not show (see ``user_register``).
    """

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We send a link there to confirm your account; also used to reset your password.",
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"])

    def validate_unique(self) -> None:
        # The model's unique check on the address would say "taken": leave it to the service.
        exclude = self._get_validation_exclusions() | {"email"}
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as exc:
            self._update_errors(exc)


class UnconfirmedAwarePasswordResetForm(PasswordResetForm):
    """Also mails accounts that were registered but never confirmed: completing the reset
    proves the address, so somebody who registered another person's address first cannot
    keep its owner out."""

    def get_users(self, email: str) -> Iterator[User]:
        candidates = User.objects.filter(email__iexact=email)
        for user in candidates:
            if (user.is_active or user_is_unconfirmed(user)) and user.has_usable_password():
                yield user


class ProfileForm(DirectUploadMixin, forms.Form):
    """The editable part of one's own profile.

    A plain form rather than a ModelForm: a ModelForm writes the submitted values into the
    instance while validating, and here the instance is ``request.user``. The avatar may come
    as the key of a direct upload to S3 (``DirectUploadMixin``).
    """

    direct_uploads = {"avatar": "avatars"}

    first_name = forms.CharField(
        max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    bio = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="A few words shown on your author page (up to 1,000 characters).",
    )
    # A FileField, not an ImageField: clean_image is the one place that decodes images, with
    # the format allow-list and the size and pixel limits.
    avatar = forms.FileField(
        required=False,
        widget=ImagePicker(attrs={"accept": AVATAR_ACCEPT}, preview_alt="Your current avatar"),
        help_text="JPEG, PNG or WebP.",
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "bio": user.bio,
                "avatar": user.avatar or None,
            },
        )
        super().__init__(*args, user=user, **kwargs)

    def clean_email(self) -> str:
        # Never "taken" here: that would tell a signed-in user who else uses an address. A new
        # address is confirmed by mail (cblog.users.email_change).
        return User.objects.normalize_email(self.cleaned_data["email"])

    def clean_avatar(self) -> File | Literal[False] | None:
        """A new upload, re-encoded (a ``File``); ``False`` to clear; ``None`` to keep."""
        avatar = self.cleaned_data.get("avatar")
        if isinstance(avatar, UploadedFile):
            return clean_image(avatar)
        if avatar is False:
            return False
        return None  # nothing uploaded: the field hands back the current file
