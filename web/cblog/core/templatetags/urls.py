"""``{% url %}`` with remembered answers (see ``cblog.core.reversing``).

A template builtin (``TEMPLATES`` ``builtins``), so it takes the place of Django's own tag in
every template without a ``{% load %}``. Same syntax, same output, same errors: only the
``reverse()`` call differs.
"""

from __future__ import annotations

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from cblog.core.reversing import cached_reverse

register = template.Library()


class CachedURLNode(URLNode):
    def render(self, context: Context) -> str:
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {name: value.resolve(context) for name, value in self.kwargs.items()}
        try:  # as Django's tag finds it
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = cached_reverse(self.view_name.resolve(context), args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> CachedURLNode:
    node = django_url(parser, token)  # Django's own parsing: the syntax stays exactly its
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
