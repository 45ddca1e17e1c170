"""``{% shared "name" key ... %}...{% endshared %}``: a fragment every reader sees alike.

The enclosed markup is rendered once per content generation (see ``cblog.core.pagecache``) and
``key`` values, then served from the cache to everyone, signed in or not, for
``FRAGMENT_CACHE_SECONDS``: any committed write starts a new generation, so no fragment outlives
a change. Only what is the same for every reader may go inside; pass whatever it varies on as
keys; a key that resolves to ``None`` renders the fragment afresh, uncached (a personal
variant, e.g. the comments a reader may delete). Querysets the fragment uses should be lazy, so
a hit costs no query.
"""

from __future__ import annotations

import hashlib

from django import template
from django.conf import settings
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from cblog.core import pagecache

register = template.Library()


class SharedNode(template.Node):
    # A fragment is served as it was first rendered, so a {% block %} inside one could not be
    # overridden by the page that extends it: none is looked for. This also spares the walk
    # Django makes through the parent template's nodes for blocks on every render.
    child_nodelists = ()

    def __init__(self, nodelist: NodeList, name: FilterExpression, keys: list[FilterExpression]):
        self.nodelist, self.name, self.keys = nodelist, name, keys

    def render(self, context: Context) -> SafeString:
        seconds = settings.FRAGMENT_CACHE_SECONDS
        if not seconds:
            return self.nodelist.render(context)
        values = [key.resolve(context) for key in self.keys]
        if any(value is None for value in values):
            return self.nodelist.render(context)
        parts = [str(self.name.resolve(context)), *map(str, values)]
        digest = hashlib.sha256("\x1f".join(parts[1:]).encode()).hexdigest()[:32]
        html = pagecache.remember(
            f"fragment:{parts[0]}:{digest}", lambda: str(self.nodelist.render(context)), seconds
        )
        return mark_safe(html)  # noqa: S308 - our own rendered (autoescaped) template output


@register.tag
def shared(parser: Parser, token: Token) -> SharedNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% shared %} needs a fragment name")
    nodelist = parser.parse(("endshared",))
    parser.delete_first_token()
    keys = [parser.compile_filter(bit) for bit in bits[2:]]
    return SharedNode(nodelist, parser.compile_filter(bits[1]), keys)
