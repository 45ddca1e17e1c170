from __future__ import annotations

from django.urls import path

from cblog.media import views

app_name = "media"

urlpatterns = [
    path("my/media/", views.my_media, name="mine"),
    path("my/media/delete/", views.media_delete, name="delete"),
    # Not under /media/: that path is the CDN's (and, in development, the files').
    path("my/media/uploads/", views.upload_presign, name="presign"),
]
