"""A presigned POST from ``cblog.media.direct`` cannot write outside its key, shown on an S3
server that evaluates POST policies.

moto stores whatever a POST sends (test_direct_uploads.py checks the signed policy field by
field instead). LocalStack's S3 evaluates the policy's conditions and expiry as S3 does: the
exact key, the Content-Type and ``content-length-range``, each refused with S3's error. It runs
here from PyPI, no Docker, no account: ``uv run`` builds its environment from the pinned
``localstack-requirements.txt`` beside this file (cached after the first run, which takes about
half a minute). Not shown here: LocalStack does not verify the policy's *signature*, so a
client that rewrote the policy itself would pass there; on AWS the signature binds the policy
to the site's credentials.

Locally a server that cannot start skips these tests with the reason; in CI (CI=true) they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from cblog.media import direct
from local.processes import free_port, listening, stop, wait_for

REQUIREMENTS = Path(__file__).with_name("localstack-requirements.txt")
BUCKET = "cblog-policy-check"
START_SECONDS = 240  # the first run installs the environment


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def policy_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """LocalStack's S3 on a free loopback port for this module; stopped after."""
    uv = shutil.which("uv")
    if uv is None:
        _unavailable("uv is needed to run LocalStack's S3 (make install provides it)")
    port = free_port()
    data = tmp_path_factory.mktemp("localstack")
    env = {
        **os.environ,
        "GATEWAY_LISTEN": f"127.0.0.1:{port}",
        "SERVICES": "s3",
        "FILESYSTEM_ROOT": str(data),
        "DISABLE_EVENTS": "1",
        "SKIP_SSL_CERT_DOWNLOAD": "1",
        "LOCALSTACK_TELEMETRY_DISABLED": "1",  # nothing leaves the machine
        "DISABLE_CORS_CHECKS": "1",
    }
    command = [
        str(uv),
        "run",
        "--no-project",
        "--python",
        sys.executable,
        "--with-requirements",
        str(REQUIREMENTS),
        "python",
        "-m",
        "localstack.runtime.main",
    ]
    log_path = data / "localstack.log"
    with log_path.open("a") as log:
        server = subprocess.Popen(  # noqa: S603 - uv and fixed arguments
            command, stdout=log, stderr=subprocess.STDOUT, env=env
        )
    try:
        wait_for(
            lambda: server.poll() is not None or (listening(port) and _ready(port)),
            START_SECONDS,
            "LocalStack's S3",
        )
    except TimeoutError:
        stop(server)
        _unavailable(f"LocalStack's S3 did not start: {log_path.read_text()[-2000:]}")
    if server.poll() is not None:
        _unavailable(f"LocalStack's S3 exited: {log_path.read_text()[-2000:]}")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server, timeout=20)


def _ready(port: int) -> bool:
    try:
        health = requests.get(f"http://127.0.0.1:{port}/_localstack/health", timeout=2).json()
    except (requests.RequestException, ValueError):
        return False
    return health.get("services", {}).get("s3") in {"available", "running"}


@pytest.fixture
def bucket(policy_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The media bucket on LocalStack, as cblog.media.direct sees it."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    settings.AWS_REGION = "us-east-1"
    settings.AWS_ENDPOINT_URL = policy_endpoint
    settings.MEDIA_BUCKET = BUCKET
    direct._client.cache_clear()  # the client reads the credentials above
    s3 = boto3.resource("s3", region_name="us-east-1", endpoint_url=policy_endpoint)
    created = s3.Bucket(BUCKET)
    if created.creation_date is None:
        created.create()
    created.objects.all().delete()
    yield created
    direct._client.cache_clear()


def _post(grant: dict[str, Any], body: bytes, **fields: str) -> requests.Response:
    """What the page's script does with a grant, with `fields` changed by a hostile client."""
    return requests.post(
        grant["url"],
        data={**grant["fields"], **fields},
        files={"file": ("upload.jpg", body)},
        timeout=30,
    )


def _keys(bucket: Any) -> set[str]:
    return {summary.key for summary in bucket.objects.all()}


JPEG = b"\xff\xd8\xff\xe0" + bytes(2000)


def test_the_granted_key_type_and_size_are_accepted(bucket: Any) -> None:
    grant = direct.presign(user_id=7, kind="images", content_type="image/jpeg")
    response = _post(grant, JPEG)
    assert response.status_code == 204, response.text
    assert _keys(bucket) == {grant["key"]}
    assert bucket.Object(grant["key"]).content_type == "image/jpeg"


@pytest.mark.parametrize(
    "key",
    ["incoming/images/8/{name}", "media/images/7/{name}", "incoming/images/7/other.jpg"],
    ids=["another-users-prefix", "the-served-layout", "another-name"],
)
def test_another_key_is_refused(bucket: Any, key: str) -> None:
    grant = direct.presign(user_id=7, kind="images", content_type="image/jpeg")
    wanted = key.format(name=grant["key"].rsplit("/", 1)[1])
    response = _post(grant, JPEG, key=wanted)
    assert response.status_code == 403
    assert "Policy Condition failed" in response.text
    assert _keys(bucket) == set()


def test_a_body_over_the_kinds_limit_is_refused(bucket: Any, settings: Any) -> None:
    settings.IMAGE_MAX_BYTES = 4096
    grant = direct.presign(user_id=7, kind="images", content_type="image/jpeg")
    assert _post(grant, JPEG + bytes(4096 - len(JPEG))).status_code == 204  # the limit itself
    bucket.objects.all().delete()
    response = _post(grant, JPEG + bytes(4097 - len(JPEG)))
    assert response.status_code == 400
    assert "<Code>EntityTooLarge</Code>" in response.text
    assert _keys(bucket) == set()


def test_an_empty_body_is_refused(bucket: Any) -> None:
    grant = direct.presign(user_id=7, kind="images", content_type="image/jpeg")
    response = _post(grant, b"")
    assert response.status_code == 400
    assert "<Code>EntityTooSmall</Code>" in response.text
    assert _keys(bucket) == set()


def test_another_content_type_is_refused(bucket: Any) -> None:
    grant = direct.presign(user_id=7, kind="images", content_type="image/jpeg")
    response = _post(
        grant, b"<html><script>alert(1)</script></html>", **{"Content-Type": "text/html"}
    )
    assert response.status_code == 403
    assert "Policy Condition failed" in response.text
    assert _keys(bucket) == set()


def test_an_expired_policy_is_refused(bucket: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Signed as the site signs it, with an expiry already past (rather than waiting 10 minutes).
    monkeypatch.setattr(direct, "PRESIGN_SECONDS", -1)
    grant = direct.presign(user_id=7, kind="images", content_type="image/jpeg")
    response = _post(grant, JPEG)
    assert response.status_code == 403
    assert "Policy expired" in response.text
    assert _keys(bucket) == set()
