"""cblog's URLs under /under/: a second URLconf for tests."""

from django.urls import include, path

urlpatterns = [path("under/", include("cblog.urls"))]
