"""``reverse()`` remembered: a URL is worked out once per process, not on every page.

Django's ``reverse`` walks the URL resolver's namespaces and patterns each time: about 25 µs,
and a post page asked for ten URLs (its own four times), a list page for three per card. The
answer depends only on the view name, the arguments, the URLconf, the script prefix and the
current application, so those are the key. Only ``str`` and ``int`` arguments are remembered:
another object is turned into text by the resolver, and that text could change while the
object stays equal (a model instance compares by its primary key).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

# Every post, category, tag and author has a URL or two; 16,384 covers a large blog.
CACHED_URLS = 16_384


def cached_reverse(
    viewname: str,
    args: Sequence[Any] | None = None,
    kwargs: Mapping[str, Any] | None = None,
    current_app: str | None = None,
) -> str:
    """What ``reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)`` returns,
    from this process's memory after the first time. Raises ``NoReverseMatch`` as it does."""
    args, kwargs = tuple(args or ()), tuple((kwargs or {}).items())
    plain = (str, int)
    if not all(isinstance(v, plain) for v in (*args, *(v for _, v in kwargs))):
        return reverse(viewname, args=args, kwargs=dict(kwargs), current_app=current_app)
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reverse(viewname, args, kwargs, current_app, urlconf, get_script_prefix())


@functools.lru_cache(maxsize=CACHED_URLS)
def _reverse(
    viewname: str,
    args: tuple[str | int, ...],
    kwargs: tuple[tuple[str, str | int], ...],
    current_app: str | None,
    urlconf: str,
    prefix: str,  # reverse() reads it itself: part of the key only
) -> str:
    return reverse(
        viewname, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app
    )


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    """Tests that swap URLconfs (or a prefix) must not see the old answers."""
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _reverse.cache_clear()
