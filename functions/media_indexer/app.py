"""Lambda entry point: S3 events in, the media index (DynamoDB) kept in step.

Thin on purpose: Powertools wiring, the record loop and the one S3 call (HeadObject, for the
content type S3 events do not carry). The rules live in `indexing.py` and in `s3records`, the
record parser shared with the deriver (functions/shared/, deployed as a layer).
Configuration: MEDIA_INDEX_TABLE, POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE and,
locally, AWS_ENDPOINT_URL (read by boto3 itself).
"""

from __future__ import annotations

import os
from collections import Counter
from functools import cache
from typing import Any

import boto3
import indexing
import s3records
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import S3Event, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

logger = Logger()
tracer = Tracer()
metrics = Metrics()

COUNTED = ("created", "removed", "stale", "skipped")
_GONE = {"404", "NoSuchKey", "NoSuchVersion"}


@cache
def _clients() -> tuple[Any, Any]:
    """The index table and an S3 client, created once per execution environment."""
    table = boto3.resource("dynamodb").Table(os.environ["MEDIA_INDEX_TABLE"])
    return table, boto3.client("s3")


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_source(data_class=S3Event)
def handler(event: S3Event, context: LambdaContext) -> dict[str, int]:
    """Index every record; return the count per outcome. DynamoDB failures raise (retry)."""
    counts: Counter[str] = Counter()
    if "Records" not in event:  # s3:TestEvent, sent when a notification is configured
        logger.info("Skipped a message without records", extra={"s3_event": event.get("Event")})
        counts["skipped"] += 1
    elif not isinstance(event["Records"], list):  # iterating it would yield characters or keys
        logger.warning(
            "Skipped an event whose Records is not a list",
            extra={"records_type": type(event["Records"]).__name__},
        )
        counts["skipped"] += 1
    else:
        for record in event.records:
            counts[_index_record(record.raw_event, context)] += 1
    for name in COUNTED:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=counts[name])
    logger.info("Processed event", extra={"outcomes": dict(counts)})
    return {name: counts[name] for name in COUNTED}


@tracer.capture_method
def _index_record(raw: Any, context: LambdaContext) -> str:
    # The S3 request id ties this record's logs to the upload or delete that caused it.
    response = raw.get("responseElements") if isinstance(raw, dict) else None
    request_id = response.get("x-amz-request-id") if isinstance(response, dict) else None
    logger.set_correlation_id(request_id or context.aws_request_id)
    try:
        media = s3records.parse_record(raw)
    except s3records.MalformedRecord as exc:
        logger.warning("Skipped a record", extra={"reason": str(exc)})
        return "skipped"
    logger.append_keys(object_key=media.key, event_name=media.event_name)
    try:
        content_type = None
        if not media.removal:
            try:
                content_type = _content_type(media)
            except LookupError:
                logger.info("Object already gone; create treated as stale")
                return indexing.Outcome.STALE.value
        table, _ = _clients()
        outcome = indexing.apply_event(table, media, content_type=content_type)
        if outcome is indexing.Outcome.STALE:
            logger.info("Stale or duplicate event ignored", extra={"sequencer": media.sequencer})
        else:
            logger.info("Index updated", extra={"outcome": outcome.value})
        return outcome.value
    finally:
        logger.remove_keys(["object_key", "event_name"])


def _content_type(media: s3records.S3ObjectEvent) -> str | None:
    """The object's Content-Type; LookupError when the object (version) no longer exists."""
    _, s3 = _clients()
    params = {"Bucket": media.bucket, "Key": media.key}
    if media.version_id:
        params["VersionId"] = media.version_id
    try:
        return s3.head_object(**params).get("ContentType")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _GONE:
            raise LookupError(media.key) from exc
        raise
