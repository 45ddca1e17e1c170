from __future__ import annotations

from django.apps import AppConfig


class MediaConfig(AppConfig):
    """Users' uploaded media as the DynamoDB media index records it ("My media")."""

    name = "cblog.media"
    label = "media"
