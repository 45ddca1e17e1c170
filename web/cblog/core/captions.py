"""WebVTT captions for videos: checked by content, size-capped and renamed like other media.

A captions file is text a browser parses into cues (never markup it runs), so the checks are
those of the format: UTF-8, the ``WEBVTT`` signature on the first line, no NUL characters, and
a size cap (``CAPTIONS_MAX_BYTES``) that fits the form's request body limit.
"""

from __future__ import annotations

import re
from functools import cache

from django.conf import global_settings, settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import get_language_info

from cblog.core.uploads import random_name

# The signature line: "WEBVTT" alone, or followed by a space or a tab and a free-form header.
_SIGNATURE = re.compile(r"WEBVTT(?:[ \t][^\r\n]*)?(?:\r\n|\r|\n|$)")


def clean_captions(upload: UploadedFile) -> ContentFile:
    """The upload as a WebVTT file with a fresh random name; ``ValidationError`` otherwise."""
    limit = settings.CAPTIONS_MAX_BYTES
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            f"This captions file is too large: the limit is {limit // 1024} KB.",
            code="captions_too_large",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "Captions must be a WebVTT file in UTF-8.", code="captions_encoding"
        ) from exc
    if not _SIGNATURE.match(text.removeprefix("\ufeff")) or "\x00" in text:
        raise ValidationError(
            "This is not a WebVTT captions file: it must start with “WEBVTT”.",
            code="captions_signature",
        )
    return ContentFile(data, name=random_name("vtt"))


@cache
def language_choices() -> list[tuple[str, str]]:
    """Every language Django names, by name (captions can be in any of them)."""
    return sorted(
        ((code, str(get_language_info(code)["name"])) for code, _ in global_settings.LANGUAGES),
        key=lambda choice: choice[1],
    )


def language_name(code: str) -> str:
    """The English name of a language code, for the track's label; the code if unknown."""
    try:
        return str(get_language_info(code)["name"])
    except KeyError:
        return code
