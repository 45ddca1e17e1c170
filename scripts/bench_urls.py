"""cblog's URLs plus the ceiling: a constant ~20 KB page through the full middleware stack.

Bench-only; the product's URLconf never includes it.
"""

from __future__ import annotations

from bench_django import CEILING_PATH
from django.http import HttpRequest, HttpResponse
from django.urls import path

from cblog.urls import handler500 as handler500
from cblog.urls import urlpatterns as product_urlpatterns

CEILING_BYTES = 20 * 1024

_row = "<p>cblog bench ceiling: a constant page, no database and no template.</p>\n"
_head = "<!doctype html>\n<html lang=en><head><title>ceiling</title></head><body>\n"
_tail = "</body></html>\n"
_rows = (CEILING_BYTES - len(_head) - len(_tail)) // len(_row)
CEILING_PAGE = (_head + _row * _rows + _tail).ljust(CEILING_BYTES).encode()


def ceiling(request: HttpRequest) -> HttpResponse:
    return HttpResponse(CEILING_PAGE)


urlpatterns = [path(CEILING_PATH.strip("/") + "/", ceiling, name="bench_ceiling")]
urlpatterns += product_urlpatterns
