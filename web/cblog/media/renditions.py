"""Responsive images from the renditions the media deriver recorded in the index.

The deriver writes each uploaded image's served rendition and WebP sizes under `derived/` and
records them in the original's index item. The web learns them once: `fill` looks up the
images of a page that have none recorded yet (one BatchGetItem for the page, at most once per
`RECHECK_SECONDS` per image while the deriver is still working) and stores what it finds in the
model's `renditions` field, keyed by field name and tied to the file it was made from. From
then on pages read the field: no index call per page view. Until renditions exist (or without
an index, as in the tests), `<img>` falls back to the original file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.cache import cache as django_cache
from django.core.files.storage import default_storage
from django.core.signals import setting_changed
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.dispatch import receiver

from cblog.media.index import MediaIndexUnavailable, media_table

logger = logging.getLogger(__name__)
RECHECK_SECONDS = 60
_BATCH = 100  # BatchGetItem's limit


@dataclass(frozen=True)
class ResponsiveImage:
    src: str
    srcset: str
    width: int | None
    height: int | None


def index_key(name: str) -> str:
    """The object key of a stored file (the storage keeps files under `media/`)."""
    return f"media/{name}"


@cache
def _derived_storage() -> Any:
    """A storage that names bucket keys as they are (derived/... sits beside media/)."""
    options = settings.STORAGES["default"].get("OPTIONS", {})
    if "bucket_name" not in options:
        return None
    from storages.backends.s3 import S3Storage

    return S3Storage(**{**options, "location": ""})


@receiver(setting_changed)
def _storages_changed(*, setting: str, **_: object) -> None:
    if setting == "STORAGES":
        _derived_storage.cache_clear()


def derived_url(key: str) -> str:
    storage = _derived_storage()
    return storage.url(key) if storage is not None else f"/{key}"


def recorded(obj: Model, field: str) -> list[dict[str, Any]]:
    """The renditions recorded for `obj.<field>`'s current file, or []."""
    entry = (getattr(obj, "renditions", None) or {}).get(field)
    file: FieldFile = getattr(obj, field)
    if not file or not isinstance(entry, dict) or entry.get("name") != file.name:
        return []  # none yet, or made from a file since replaced
    return list(entry.get("renditions") or [])


def responsive(obj: Model, field: str) -> ResponsiveImage | None:
    """`src`/`srcset` for `obj.<field>`: the recorded renditions, else the original file."""
    file: FieldFile = getattr(obj, field)
    if not file:
        return None
    found = recorded(obj, field)
    if not found:
        return ResponsiveImage(default_storage.url(file.name), "", None, None)
    served = found[0]  # the deriver records the served rendition first, then the sizes
    candidates = sorted(found, key=lambda r: int(r["width"]))
    srcset = ", ".join(f"{derived_url(r['key'])} {int(r['width'])}w" for r in candidates)
    return ResponsiveImage(
        derived_url(served["key"]), srcset, int(served["width"]), int(served["height"])
    )


def fill(objects: Iterable[Model], fields: Sequence[str]) -> None:
    """Record, from the index, the renditions of `fields` that `objects` lack (see above)."""
    if not settings.MEDIA_INDEX_TABLE:
        return
    wanted: dict[str, list[tuple[Model, str]]] = {}
    for obj in objects:
        for field in fields:
            file = getattr(obj, field)
            if file and not recorded(obj, field):
                key = index_key(file.name)
                if django_cache.get(f"renditions-miss:{key}") is None:
                    wanted.setdefault(key, []).append((obj, field))
    if not wanted:
        return
    try:
        items = _batch_get(list(wanted))
    except (MediaIndexUnavailable, BotoCoreError, ClientError):
        logger.warning("media index unavailable; images served without renditions", exc_info=True)
        return
    changed: dict[tuple[type[Model], Any], Model] = {}
    for key, users in wanted.items():
        renditions = (items.get(key) or {}).get("renditions")
        if not renditions:
            django_cache.set(f"renditions-miss:{key}", 1, RECHECK_SECONDS)
            continue
        for obj, field in users:
            entry = {"name": getattr(obj, field).name, "renditions": _plain(renditions)}
            obj.renditions = {**(obj.renditions or {}), field: entry}
            changed[(obj._meta.model, obj.pk)] = obj  # not type(): request.user is lazy
    for (model, pk), obj in changed.items():
        model._default_manager.filter(pk=pk).update(renditions=obj.renditions)


def _batch_get(keys: list[str]) -> dict[str, dict[str, Any]]:
    table = media_table()
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(keys), _BATCH):
        request = {
            table.name: {
                "Keys": [{"id": key} for key in keys[start : start + _BATCH]],
                "ProjectionExpression": "id, renditions",
            }
        }
        response = table.meta.client.batch_get_item(RequestItems=request)
        # Unprocessed keys (throttling) are simply looked up again on a later page view.
        for item in response.get("Responses", {}).get(table.name, []):
            found[item["id"]] = item
    return found


def _plain(renditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """DynamoDB numbers arrive as Decimal; the JSON field stores ints."""
    return [
        {
            "key": str(r["key"]),
            "width": int(r["width"]),
            "height": int(r["height"]),
            "content_type": str(r.get("content_type", "")),
        }
        for r in renditions
    ]
