"""Root URL configuration: each app owns its own URLs."""

from __future__ import annotations

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from cblog.core.views import favicon, robots_txt
from cblog.posts.sitemaps import SITEMAPS

handler500 = "cblog.core.views.server_error"

urlpatterns = [
    path("", include("cblog.posts.urls")),
    path("", include("cblog.users.urls")),
    path("", include("cblog.media.urls")),
    path("admin/", admin.site.urls),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("favicon.ico", favicon, {"name": "favicon.ico"}, name="favicon"),
    path(
        "apple-touch-icon.png", favicon, {"name": "apple-touch-icon.png"}, name="apple_touch_icon"
    ),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]

if settings.DEBUG:  # in production media comes from S3 through the CDN
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
