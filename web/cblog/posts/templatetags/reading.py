"""Template filters for readers: search-term highlighting."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def search_terms(query: str) -> list[str]:
    """The words a search matches on: the same first eight words the post selector uses."""
    return [word for word in query.split()[:8] if word]


@register.filter
def highlight(text: object, query: str) -> SafeString:
    """``text`` escaped, with every case-insensitive match of a word of ``query`` in <mark>.

    Matching happens on the raw text and each piece is escaped on its own, so neither the
    text nor the query can inject markup (a term like ``<b>`` is shown, not interpreted).
    """
    raw = str(text or "")
    terms = sorted(set(search_terms(query or "")), key=len, reverse=True)
    if not terms:
        return mark_safe(escape(raw))  # noqa: S308 - escaped on this line
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    pieces, last = [], 0
    for match in pattern.finditer(raw):
        pieces.append(escape(raw[last : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    pieces.append(escape(raw[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped above
