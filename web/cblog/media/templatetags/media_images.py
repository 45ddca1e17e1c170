"""`{% responsive_img obj "field" sizes="..." %}`: an <img> with the deriver's srcset; and
`language_label`, the name of a captions track's language."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model
from django.utils.html import format_html, format_html_join

from cblog.core.captions import language_name
from cblog.media.renditions import responsive

register = template.Library()


@register.simple_tag
def responsive_img(obj: Model, field: str, **attributes: Any) -> str:
    """The image of `obj.<field>`: src/srcset from its renditions, else the original file.

    Other keyword arguments become attributes (class, alt, sizes, width, height, loading);
    `width`/`height` given here win over the rendition's, so a layout's box stays fixed.
    """
    image = responsive(obj, field)
    if image is None:
        return ""
    ordered: dict[str, Any] = {}
    if "class" in attributes:
        ordered["class"] = attributes.pop("class")
    ordered["src"] = image.src
    ordered["alt"] = attributes.pop("alt", "")
    ordered |= attributes
    if image.width and image.height:
        ordered.setdefault("width", image.width)
        ordered.setdefault("height", image.height)
    if image.srcset:
        ordered["srcset"] = image.srcset
    else:
        ordered.pop("sizes", None)  # sizes means nothing without srcset
    return format_html("<img{}>", format_html_join("", ' {}="{}"', ordered.items()))


@register.filter
def language_label(code: str) -> str:
    """A captions track's label: the language's name ("English" for "en")."""
    return language_name(code)
