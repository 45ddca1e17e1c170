from __future__ import annotations

from django.urls import path

from cblog.media import views

app_name = "media"

urlpatterns = [path("my/media/", views.my_media, name="mine")]
