from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from cblog.media import direct
from cblog.media.index import MediaIndexUnavailable, media_list

logger = logging.getLogger(__name__)


@login_required
@require_GET
def my_media(request: HttpRequest) -> HttpResponse:
    """The signed-in user's media as the index records it; staff may list everyone's."""
    everyone = request.user.is_staff and request.GET.get("all") == "1"
    context: dict[str, object] = {"everyone": everyone, "entries": [], "unavailable": False}
    try:
        page = media_list(
            owner_id=None if everyone else request.user.pk, cursor=request.GET.get("cursor")
        )
    except MediaIndexUnavailable:
        logger.warning("media index unavailable", exc_info=True)
        context["unavailable"] = True
        return render(request, "media/my_media.html", context, status=503)
    context["entries"] = [
        (entry, default_storage.url(entry.storage_name)) for entry in page.entries
    ]
    context["next_cursor"] = page.next_cursor
    return render(request, "media/my_media.html", context)


@login_required
@require_POST
def upload_presign(request: HttpRequest) -> HttpResponse:
    """A presigned POST for the page's uploader (``kind``, ``content_type`` in the form data)."""
    if not direct.enabled():
        return JsonResponse({"error": "Direct uploads are not available here."}, status=404)
    kind = request.POST.get("kind", "")
    if kind not in direct.KINDS:
        return JsonResponse({"error": "Unknown kind of upload."}, status=400)
    try:
        upload = direct.presign(
            user_id=request.user.pk, kind=kind, content_type=request.POST.get("content_type", "")
        )
    except ValidationError as exc:
        return JsonResponse({"error": exc.messages[0]}, status=400)
    return JsonResponse(upload)
