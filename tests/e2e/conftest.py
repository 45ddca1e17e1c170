"""The whole media pipeline, locally: Django -> S3 (moto server) -> SQS -> relay -> DynamoDB.

- ``moto_endpoint``: a moto server on a free loopback port for the session, stopped by its pid.
- ``pipeline``: fresh bucket, table and queue made by ``local.bootstrap``; the real
  ``python -m local.relay`` running as a subprocess (stopped by its pid) and warmed up by one
  object; Django's settings pointing the default storage and the media index at them.
  Returns the bootstrap settings.
- ``make_user`` / ``make_jpeg``: a saved user; a real JPEG upload made by Pillow.

The moto server is started with ``local.processes``, as in tests/local.
"""

from __future__ import annotations

import io
import itertools
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from boto3.s3.transfer import TransferConfig
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cblog.media import index
from cblog.users.models import User

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # `local` is a package at the repository root

from local.bootstrap import Settings, bootstrap  # noqa: E402
from local.processes import isolated_env, moto_server, stop  # noqa: E402

_users = itertools.count(1)


def wait_until(check: Callable[[], Any], timeout: float, interval: float = 0.05) -> Any:
    """Call ``check`` until it returns something truthy and return that; ``None`` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        if result := check():
            return result
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with moto_server(tmp_path_factory.mktemp("moto") / "moto.log") as endpoint:
        yield endpoint


@pytest.fixture
def pipeline(
    moto_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Settings]:
    env = isolated_env(moto_endpoint, "e2e")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    aws = Settings.from_env(env)
    bootstrap(aws)

    # The web side, configured as base.py does when MEDIA_BUCKET is set, plus the endpoint.
    settings.AWS_REGION = aws.region
    settings.AWS_ENDPOINT_URL = moto_endpoint
    settings.MEDIA_BUCKET = aws.bucket
    settings.MEDIA_INDEX_TABLE = aws.table
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": aws.bucket,
                "region_name": aws.region,
                "endpoint_url": moto_endpoint,
                "location": "media",
                "default_acl": None,
                "file_overwrite": False,
                "querystring_auth": True,
                "transfer_config": TransferConfig(
                    multipart_threshold=8 * 1024 * 1024,
                    multipart_chunksize=5 * 1024 * 1024,
                    max_concurrency=3,
                ),
            },
        },
    }
    index._table.cache_clear()

    log_path = tmp_path / "relay.log"
    with log_path.open("w") as log:
        relay = subprocess.Popen(
            [sys.executable, "-m", "local.relay", "--poll", "20", "--wait", "10"],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        polling = wait_until(lambda: "MediaDeriverFunction" in log_path.read_text(), timeout=30)
        if not polling:
            pytest.fail(f"the relay did not start polling:\n{log_path.read_text()}")
        _warm_up(aws, log_path)
        yield aws
    finally:
        stop(relay)  # SIGTERM ends an idle long poll at once
        index._table.cache_clear()
        if relay.returncode != 0:
            print(f"relay exited with {relay.returncode}:\n{log_path.read_text()}")


def _warm_up(aws: Settings, log_path: Path) -> None:
    """Send one object through the pipeline, so that tests time a running relay.

    In ``make dev`` the relay runs for hours; its first event pays the handler's cold start
    (boto3 clients), as a Lambda's first invocation does, which is not what the 2 s bound is about.
    """
    key = "media/images/0/warm-up.jpg"  # owner 0: no user has that id
    aws.client("s3").put_object(
        Bucket=aws.bucket, Key=key, Body=b"warm-up", ContentType="image/jpeg"
    )
    table = aws.client("dynamodb")
    indexed = wait_until(
        lambda: "Item" in table.get_item(TableName=aws.table, Key={"id": {"S": key}}), 30
    )
    if not indexed:
        pytest.fail(f"the warm-up object was never indexed:\n{log_path.read_text()}")


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(**fields: Any) -> User:
        fields.setdefault("username", f"e2e{next(_users)}")
        fields.setdefault("email", f"{fields['username']}@example.com")
        return User.objects.create_user(password="correct-horse-battery-staple", **fields)

    return make


@pytest.fixture
def make_jpeg() -> Callable[[], SimpleUploadedFile]:
    def make() -> SimpleUploadedFile:
        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), "steelblue").save(buffer, format="JPEG")
        return SimpleUploadedFile("holiday photo.jpg", buffer.getvalue(), "image/jpeg")

    return make
