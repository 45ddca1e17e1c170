from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cblog.media import direct, library, services
from cblog.media.index import MediaIndexUnavailable

logger = logging.getLogger(__name__)


@login_required
@require_GET
def my_media(request: HttpRequest) -> HttpResponse:
    """The signed-in user's files, what uses each and what is unused; staff may list everyone's."""
    everyone = request.user.is_staff and request.GET.get("all") == "1"
    context: dict[str, object] = {"everyone": everyone, "rows": [], "unavailable": False}
    try:
        page = library.media_page(
            owner_id=None if everyone else request.user.pk, cursor=request.GET.get("cursor")
        )
    except MediaIndexUnavailable:
        logger.warning("media index unavailable", exc_info=True)
        context["unavailable"] = True
        return render(request, "media/my_media.html", context, status=503)
    context["rows"] = library.rows(page.entries, viewer=request.user)
    context["next_cursor"] = page.next_cursor
    return render(request, "media/my_media.html", context)


@login_required
@require_POST
def media_delete(request: HttpRequest) -> HttpResponse:
    """Delete one of the user's unused files (``key`` in the form); anyone else's is a 404."""
    try:
        entry = library.owned_entry(user_id=request.user.pk, key=request.POST.get("key", ""))
    except MediaIndexUnavailable:
        logger.warning("media index unavailable", exc_info=True)
        messages.error(request, "Media cannot be deleted right now; please try again shortly.")
        return redirect("media:mine")
    if entry is None:
        raise Http404("No such file of yours.")
    filename = entry.key.rsplit("/", 1)[1]
    try:
        services.media_delete(entry=entry)
    except services.MediaInUse:
        messages.error(request, f"{filename} is in use, so it was not deleted.")
    else:
        messages.success(request, f"{filename} was deleted.")
    return redirect("media:mine")


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
