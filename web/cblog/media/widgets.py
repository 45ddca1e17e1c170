"""The image control of the profile and the editor: the current picture, "Change", "Remove"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models.fields.files import FieldFile

from cblog.media.renditions import responsive


class ImagePicker(forms.ClearableFileInput):
    """A ``ClearableFileInput`` that shows the picture itself, not its storage key.

    The current file (a ``FieldFile``) is shown as a thumbnail from its renditions; the
    "Remove" checkbox keeps the ``<name>-clear`` contract of Django's widget, so the form's
    clean-up logic is unchanged. static/js/image-picker.js turns the file input into a
    "Change" button and previews a newly chosen file; without it the plain input shows.
    """

    template_name = "media/widgets/image_picker.html"
    clear_checkbox_label = "Remove"

    def __init__(self, attrs: dict[str, Any] | None = None, *, preview_alt: str = "") -> None:
        super().__init__(attrs)
        self.preview_alt = preview_alt

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["preview_alt"] = self.preview_alt
        widget["preview"] = None
        if self.is_initial(value) and isinstance(value, FieldFile) and value.field is not None:
            widget["preview"] = responsive(value.instance, value.field.name)
        return context
