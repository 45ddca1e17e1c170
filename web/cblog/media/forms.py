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
    its key is submitted; ``clean`` then puts the verified upload (``direct.Incoming``) in
    place of the file. Without JavaScript the file field works as before.
    """

    direct_uploads: dict[str, str] = {}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for field, kind in self.direct_uploads.items():
            self.fields[f"{field}_key"] = forms.CharField(
                required=False, max_length=200, widget=forms.HiddenInput
            )
            if direct.enabled() and user is not None:
                self.fields[field].widget.attrs.update(
                    {
                        "data-direct-upload": kind,
                        "data-key-field": f"id_{field}_key",
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

    def direct_upload(self, field: str) -> direct.Incoming | None:
        value = self.cleaned_data.get(field)
        return value if isinstance(value, direct.Incoming) else None
