"""Form support for direct uploads: a hidden key field beside each file field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from cblog.media import direct


class DirectUploadMixin(forms.Form):
    """Adds ``<field>_key`` for each of ``direct_uploads`` (file field -> kind).

    With JavaScript (static/js/direct-upload.js) the file goes from the browser to S3 and only
    its key is submitted (with the file's name, ``<field>_name``, for messages); ``clean`` then
    puts the verified upload (``direct.Incoming``) in place of the file. Without JavaScript the
    file field works as before.

    When the form fails validation, each file field's widget gets an ``upload_note``: a
    verified direct upload is kept (its key stays in the re-rendered form), a file posted
    with the form is not (a browser cannot refill a file input), and the note says which.
    """

    direct_uploads: dict[str, str] = {}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for field, kind in self.direct_uploads.items():
            self.fields[f"{field}_key"] = forms.CharField(
                required=False, max_length=200, widget=forms.HiddenInput
            )
            self.fields[f"{field}_name"] = forms.CharField(
                required=False, max_length=255, widget=forms.HiddenInput
            )
            if direct.enabled() and user is not None:
                self.fields[field].widget.attrs.update(
                    {
                        "data-direct-upload": kind,
                        "data-key-field": f"id_{field}_key",
                        "data-name-field": f"id_{field}_name",
                        "data-presign-url": reverse("media:presign"),
                        "data-max-bytes": str(direct.KINDS[kind].max_bytes),
                    }
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for field, kind in self.direct_uploads.items():
            key = cleaned.get(f"{field}_key")
            if not key:
                continue
            if not direct.enabled() or self.user is None:
                self.add_error(field, "Direct uploads are not available here.")
                continue
            try:
                cleaned[field] = direct.verify(user_id=self.user.pk, kind=kind, key=key)
            except ValidationError as exc:
                self.add_error(field, exc)
        return cleaned

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound or not self.errors:
            return
        for field in self.direct_uploads:
            widget = self.fields[field].widget
            if self.direct_upload(field) and field not in self.errors:
                name = self.cleaned_data.get(f"{field}_name") or "The uploaded file"
                widget.upload_note = f"{name} is uploaded and kept: save to attach it."
                widget.upload_kept = True
            elif field in self.files:
                name = self.files[field].name
                widget.upload_note = f"{name} was not kept: choose it again before saving."
                widget.upload_kept = False
            if field in self.errors:  # a refused upload is gone: its key is not sent again
                self.data = self.data.copy()
                self.data[f"{field}_key"] = ""
                self.data[f"{field}_name"] = ""

    def direct_upload(self, field: str) -> direct.Incoming | None:
        value = self.cleaned_data.get(field)
        return value if isinstance(value, direct.Incoming) else None
