"""Markdown to sanitised HTML. User HTML is cleaned with an allow-list before it is stored."""

from __future__ import annotations

import html
import re

import markdown as md
import nh3
from django.utils.text import Truncator

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["fenced_code", "tables", "sane_lists", "nl2br"]


def render_markdown(text: str) -> str:
    """Render Markdown and keep only allow-listed tags, attributes and URL schemes.

    Raw HTML in the source is escaped by the allow-list, scripts and event handlers are
    dropped, and links get ``rel="noopener noreferrer nofollow"``.
    """
    raw = md.markdown(text, extensions=EXTENSIONS, output_format="html")
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


# Headings and code blocks read badly inside a running excerpt ("... values: Colours as
# variables If every ..."); the excerpt is the prose around them.
_NOT_PROSE = re.compile(r"<(h[1-6]|pre)\b[^>]*>.*?</\1>", re.DOTALL)


def plain_excerpt(body_html: str, words: int = 40) -> str:
    """A plain-text excerpt of sanitised HTML, for cards and meta descriptions.

    Headings and code blocks are left out unless nothing else is there.
    """
    prose = _NOT_PROSE.sub(" ", body_html)
    if not nh3.clean(prose, tags=set()).strip():
        prose = body_html
    # A space before every tag keeps words of adjacent blocks ("<li>a</li><li>b</li>") apart.
    text = html.unescape(nh3.clean(prose.replace("<", " <"), tags=set()))
    return Truncator(" ".join(text.split())).words(words, truncate="…")[:300]
