"""Lambda entry point: an image created under media/ in, its derived renditions out.

The indexer's sibling, with the same conventions: Powertools wiring and the record loop here,
the image rules in `renditions.py` and `deriving.py`, records parsed by the shared `s3records`
layer. On AWS it hears of uploads through EventBridge (S3 allows one notification per event
type, and the indexer's covers every key); locally and in events/ through S3 notification
records, as the indexer does. Both are typed by Powertools and read alike.

For each ObjectCreated of an image (kinds `images` and `avatars`) under `media/`, the handler
reads the object, writes its renditions under `derived/<key after media/>/` and records them in
the original's index item. For each ObjectRemoved of such an image it deletes that folder and
marks the item's renditions removed (the indexer tombstones the renditions' own entries, as it
does for every removal). It never reads `derived/` (the EventBridge rule matches media/ images
and avatars only, and the key check holds whatever the rule says): no loop on outputs.

Idempotent: output keys are fixed per original, and the index item remembers which event the
renditions came from (or removed them), so a redelivered or older event changes nothing, and a
redelivered removal deletes whatever is left.
Configuration: MEDIA_INDEX_TABLE, IMAGE_MAX_BYTES, IMAGE_MAX_PIXELS (the web tier's limits),
POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE and, locally, AWS_ENDPOINT_URL.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from functools import cache
from typing import Any

import boto3
import deriving
import renditions
import s3records
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event, S3EventBridgeNotificationEvent
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

logger = Logger()
tracer = Tracer()
metrics = Metrics()

COUNTED = ("derived", "removed", "refused", "stale", "skipped")
_GONE = {"404", "NoSuchKey", "NoSuchVersion"}


@cache
def _clients() -> tuple[Any, Any]:
    """The index table and an S3 client, created once per execution environment."""
    table = boto3.resource("dynamodb").Table(os.environ["MEDIA_INDEX_TABLE"])
    return table, boto3.client("s3")


def _limits() -> tuple[int, int]:
    return (
        int(os.environ.get("IMAGE_MAX_BYTES", 10 * 1024 * 1024)),
        int(os.environ.get("IMAGE_MAX_PIXELS", 40_000_000)),
    )


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Derive (or remove) every record's renditions; return the count per outcome. AWS
    failures raise (retry)."""
    counts: Counter[str] = Counter()
    if s3records.is_eventbridge(event):
        bridged = S3EventBridgeNotificationEvent(event)
        request_id = bridged.detail.request_id
        counts[_derive(s3records.parse_eventbridge, bridged.raw_event, request_id, context)] += 1
    elif not isinstance(event.get("Records"), list):  # s3:TestEvent, or nothing to iterate
        logger.info("Skipped a message without records", extra={"s3_event": event.get("Event")})
        counts["skipped"] += 1
    else:
        for record in S3Event(event).records:
            raw = record.raw_event
            response = raw.get("responseElements") if isinstance(raw, dict) else None
            request_id = response.get("x-amz-request-id") if isinstance(response, dict) else None
            counts[_derive(s3records.parse_record, raw, request_id, context)] += 1
    for name in COUNTED:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=counts[name])
    logger.info("Processed event", extra={"outcomes": dict(counts)})
    return {name: counts[name] for name in COUNTED}


@tracer.capture_method
def _derive(
    parse: Callable[[Any], s3records.S3ObjectEvent],
    raw: Any,
    request_id: str | None,
    context: LambdaContext,
) -> str:
    # The S3 request id ties this image's logs to the upload that caused them.
    logger.set_correlation_id(request_id or context.aws_request_id)
    try:
        source = parse(raw)
    except s3records.MalformedRecord as exc:
        logger.warning("Skipped a record", extra={"reason": str(exc)})
        return "skipped"
    if deriving.is_removed_image(source):
        return _remove(source)
    if not deriving.is_derivable(source):
        logger.debug("Not an uploaded image; nothing to derive", extra={"object_key": source.key})
        return "skipped"
    logger.append_keys(object_key=source.key)
    try:
        table, s3 = _clients()
        if deriving.already_derived(table, source):
            logger.info("Renditions already recorded for this or a newer event")
            return "stale"
        try:
            data, content_type = _read(s3, source)
        except LookupError:
            logger.info("Object already gone; nothing to derive")
            return "stale"
        max_bytes, max_pixels = _limits()
        try:
            outputs = renditions.derive(data, max_bytes=max_bytes, max_pixels=max_pixels)
        except renditions.RefusedImage as exc:
            logger.warning("Refused an image", extra={"reason": str(exc), "type": content_type})
            return "refused"
        recorded = deriving.store(s3, table, source, outputs)
        logger.info("Renditions written", extra={"renditions": [r["key"] for r in recorded]})
        return "derived" if recorded else "stale"
    finally:
        logger.remove_keys(["object_key"])


def _remove(source: s3records.S3ObjectEvent) -> str:
    logger.append_keys(object_key=source.key)
    try:
        table, s3 = _clients()
        if deriving.still_exists(s3, source):
            logger.info("The key still has a current object; only an older version went")
            return "stale"
        if not deriving.record_removal(table, source):
            logger.info("A newer upload of this key has renditions; removal ignored")
            return "stale"
        removed = deriving.remove_renditions(s3, source)
        logger.info("Renditions removed with their original", extra={"renditions": removed})
        return "removed"
    finally:
        logger.remove_keys(["object_key"])


def _read(s3: Any, source: s3records.S3ObjectEvent) -> tuple[bytes, str | None]:
    """The object's bytes (this version) and type; LookupError when it no longer exists."""
    params = {"Bucket": source.bucket, "Key": source.key}
    if source.version_id:
        params["VersionId"] = source.version_id
    max_bytes, _ = _limits()
    try:
        response = s3.get_object(**params)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _GONE:
            raise LookupError(source.key) from exc
        raise
    with response["Body"] as body:
        # One byte over the limit is enough to refuse; never read a huge object whole.
        return body.read(max_bytes + 1), response.get("ContentType")
