"""Create the local AWS resources of the media pipeline on the local endpoint (idempotent).

Against the moto server named by AWS_ENDPOINT_URL: the private media bucket, the index table
(same key schema and owner index as template.yaml), the event queue with its dead-letter queue,
the bucket notification to the queue, and the SSM SecureString parameters the web app reads.
Running it again changes nothing that exists and never overwrites a parameter.

    AWS_ENDPOINT_URL=http://127.0.0.1:5000 uv run --frozen python -m local.bootstrap
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ConnectionError as EndpointUnreachable

from local.resources import (
    ensure_bucket,
    ensure_notification,
    ensure_parameters,
    ensure_queue,
    ensure_table,
    ensure_upload_rules,
)
from local.state import recording_from_env, restore_and_record

log = logging.getLogger("bootstrap")


@dataclass(frozen=True)
class Settings:
    endpoint_url: str
    region: str = "us-east-1"
    bucket: str = "cblog-media-local"
    table: str = "cblog-media-index"
    queue: str = "cblog-media-events"
    ssm_prefix: str = "/cblog/local"
    # The site's origins, allowed to POST direct uploads to the bucket (CORS).
    web_origins: tuple[str, ...] = ("http://127.0.0.1:8000", "http://localhost:8000")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        endpoint = env.get("AWS_ENDPOINT_URL", "")
        if not endpoint:
            raise SystemExit(
                "AWS_ENDPOINT_URL is not set: the bootstrap only targets a local endpoint"
            )
        defaults = cls(endpoint_url=endpoint)
        return cls(
            endpoint_url=endpoint,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or defaults.region,
            bucket=env.get("MEDIA_BUCKET") or defaults.bucket,
            table=env.get("MEDIA_INDEX_TABLE") or defaults.table,
            queue=env.get("MEDIA_EVENTS_QUEUE") or defaults.queue,
            ssm_prefix=(env.get("SSM_PARAMETER_PREFIX") or defaults.ssm_prefix).rstrip("/"),
            web_origins=_web_origins(env) or defaults.web_origins,
        )

    def client(self, service: str) -> Any:
        """A client for the local endpoint; dummy credentials unless some are configured."""
        return boto3.client(
            service,
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
            aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
            config=Config(connect_timeout=2, read_timeout=30, retries={"max_attempts": 3}),
        )


def _web_origins(env: Mapping[str, str]) -> tuple[str, ...]:
    """WEB_ORIGINS (comma-separated), else make dev's WEB_HOST/WEB_PORT under both names."""
    if env.get("WEB_ORIGINS"):
        return tuple(o.strip() for o in env["WEB_ORIGINS"].split(",") if o.strip())
    if env.get("WEB_PORT"):
        hosts = dict.fromkeys([env.get("WEB_HOST") or "127.0.0.1", "127.0.0.1", "localhost"])
        return tuple(f"http://{host}:{env['WEB_PORT']}" for host in hosts)
    return ()


def wait_for_endpoint(settings: Settings, timeout: float) -> None:
    """Return once the endpoint answers; raise TimeoutError after `timeout` seconds."""
    s3, deadline = settings.client("s3"), time.monotonic() + timeout
    while True:
        try:
            s3.list_buckets()
            return
        except EndpointUnreachable:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{settings.endpoint_url} did not answer in {timeout} s"
                ) from None
            time.sleep(0.2)


def bootstrap(settings: Settings) -> dict[str, str]:
    """Create whatever is missing; return the settings and the queue URL."""
    s3 = settings.client("s3")
    ensure_bucket(s3, settings.bucket, settings.region)
    ensure_upload_rules(s3, settings.bucket, list(settings.web_origins))
    ensure_table(settings.client("dynamodb"), settings.table)
    queue_url, queue_arn = ensure_queue(settings.client("sqs"), settings.queue, settings.bucket)
    ensure_notification(s3, settings.bucket, queue_arn)
    created = ensure_parameters(settings.client("ssm"), settings.ssm_prefix)
    if created:
        log.info("created SecureString parameters %s", ", ".join(created))
    return {**asdict(settings), "queue_url": queue_url}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--wait",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="wait this long for the endpoint to answer (default 30)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings.from_env()
    wait_for_endpoint(settings, args.wait)
    restore_and_record(settings.endpoint_url, recording_from_env())
    result = bootstrap(settings)
    log.info("local AWS ready: %s", json.dumps(result))


if __name__ == "__main__":
    main()
