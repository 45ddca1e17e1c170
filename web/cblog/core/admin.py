"""Admin pieces shared by the apps (this module registers no model)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from cblog.core import pagecache


class PageCacheAdminMixin:
    """Admin actions may write with ``QuerySet.update``, which sends no signal: after any
    action the page cache starts afresh (saves and deletes invalidate through signals)."""

    def response_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse:
        response = super().response_action(request, queryset)  # type: ignore[misc]
        pagecache.invalidate()
        return response
