"""The editor's live preview: Markdown rendered by the same sanitising pipeline as a saved
post (``cblog.posts.markdown.render_markdown``), for its signed-in writer only."""

from __future__ import annotations

import time

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from cblog.core.pagecache import CACHE_ERRORS
from cblog.posts.markdown import render_markdown

MAX_BYTES = 256 * 1024  # far above any real post; rendering cost grows with the text
PER_MINUTE = 60  # the script asks at most once a second or so while the preview is open


def _within_rate(user_id: int) -> bool:
    """At most ``PER_MINUTE`` previews per writer per clock minute; a failing cache allows."""
    key = f"markdown-preview:{user_id}:{int(time.time() // 60)}"
    try:
        cache.add(key, 0, timeout=120)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            count = 1
    except CACHE_ERRORS:
        return True
    return count <= PER_MINUTE


@login_required
@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """``body`` (form data) rendered to sanitised HTML: ``{"html": ...}``."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > MAX_BYTES:
        return JsonResponse({"error": "The text is too long to preview."}, status=413)
    if not _within_rate(request.user.pk):
        return JsonResponse({"error": "Too many previews: wait a minute."}, status=429)
    body = request.POST.get("body", "")
    if len(body.encode()) > MAX_BYTES:
        return JsonResponse({"error": "The text is too long to preview."}, status=413)
    response = JsonResponse({"html": render_markdown(body)})
    response["Cache-Control"] = "private, no-store"
    return response
