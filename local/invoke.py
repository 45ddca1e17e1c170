"""Invoke a pipeline function behind Lambda's Runtime Interface Emulator: `sam local invoke`
without Docker.

    make invoke EVENT=events/s3_put.json [FUNCTION=deriver]
    uv run --frozen python -m local.invoke [--function indexer|deriver] [--prepare] [--rie PATH]
        EVENT [EVENT ...]

The emulator is the one inside AWS's Lambda base images (it ships in the aws-sam-cli wheel,
`samcli/local/rapid/`). It serves Lambda's Invoke API on 127.0.0.1 and runs the handler through
`awslambdaric`, the runtime client of those images, from functions/media_indexer/ (or
functions/media_deriver/) with the template's environment and the shared layer
(functions/shared/) on PYTHONPATH, as Lambda puts a layer's /opt/python on the path: the code
path of Lambda itself, including event (de)serialisation.

The handler talks to a local AWS endpoint: the one ``AWS_ENDPOINT_URL`` names (that of `make
dev` while it runs), else a moto server started for the invocation. On a server started here (or
with --prepare) the bucket and table are created and the objects the events' ObjectCreated
records name are put first, as the upload that caused such an event would have (a small real
image for an image name, so the deriver has pixels to work on). Prints each
result (the handler's counts) as JSON; exits 1 when an invocation fails.
"""

from __future__ import annotations

import argparse
import io
import json
import mimetypes
import os
import platform
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from PIL import Image

from local.bootstrap import Settings
from local.processes import free_port, listening, moto_server, stop, wait_for
from local.relay import FUNCTION_DIR, FUNCTIONS, SHARED_DIR, function_env
from local.resources import ensure_bucket, ensure_table

SAM_CLI = "aws-sam-cli==1.170.0"  # the Makefile and docs pin it too (tests/local/test_invoke.py)
INVOKE_PATH = "/2015-03-31/functions/function/invocations"
INVOKE_TIMEOUT = 60  # the functions' own timeouts are 30 s and 60 s
CHOICES = {"indexer": "MediaIndexerFunction", "deriver": "MediaDeriverFunction"}
_IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}


def sample_body(key: str) -> bytes:
    """What an upload to `key` could have held: a 1200 x 800 image for an image name."""
    image_format = _IMAGE_FORMATS.get(Path(key).suffix.lower())
    if image_format is None:
        return b"sample"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (90, 140, 200)).save(buffer, format=image_format)
    return buffer.getvalue()


def find_rie() -> Path:
    """The emulator binary for this machine, from the pinned aws-sam-cli wheel (via uvx)."""
    arch = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}
    machine = platform.machine().lower()
    if machine not in arch:
        raise SystemExit(f"no Lambda Runtime Interface Emulator for {machine}")
    locate = "import os, samcli; print(os.path.dirname(samcli.__file__))"
    found = subprocess.run(  # noqa: S603 - uvx from PATH, fixed arguments
        ["uvx", "--quiet", "--from", SAM_CLI, "python", "-c", locate],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(found.stdout.strip()) / "local" / "rapid" / f"aws-lambda-rie-{arch[machine]}"


@contextmanager
def endpoint(log_dir: Path) -> Iterator[tuple[str, bool]]:
    """Yield (endpoint URL, whether it was started here)."""
    configured = os.environ.get("AWS_ENDPOINT_URL")
    if configured:
        yield configured, False
        return
    with moto_server(log_dir / "moto.log") as url:
        yield url, True


def created_objects(event: dict[str, Any], *, removed: bool = False) -> list[tuple[str, str]]:
    """(bucket, key) of every object the event says was created (or, with `removed`, removed):
    its ObjectCreated (ObjectRemoved) records, or an EventBridge "Object Created" ("Object
    Deleted") event. Malformed parts are left to the handler."""
    detail_type, prefix = "Object Created", "ObjectCreated:"
    if removed:
        detail_type, prefix = "Object Deleted", "ObjectRemoved:"
    if event.get("source") == "aws.s3" and event.get("detail-type") == detail_type:
        described = [event.get("detail")]  # {"bucket": {"name"}, "object": {"key"}}, as in s3
    else:
        records = event.get("Records")
        described = [
            record.get("s3")
            for record in (records if isinstance(records, list) else [])
            if isinstance(record, dict) and str(record.get("eventName", "")).startswith(prefix)
        ]
    found = []
    for where in described:
        try:
            found.append((where["bucket"]["name"], unquote_plus(where["object"]["key"])))
        except (KeyError, TypeError, AttributeError):
            continue
    return found


def put_created_objects(settings: Settings, event: dict[str, Any]) -> None:
    """Make the bucket say what the event says: an object for each one it created, so the
    handler finds it, and none for each one it removed (a create replayed earlier left it)."""
    s3 = settings.client("s3")
    for bucket, key in created_objects(event, removed=True):
        if bucket == settings.bucket:
            s3.delete_object(Bucket=bucket, Key=key)
    for bucket, key in created_objects(event):
        if bucket != settings.bucket:
            continue
        content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        s3.put_object(Bucket=bucket, Key=key, Body=sample_body(key), ContentType=content_type)


@contextmanager
def emulator(
    rie: Path, env: dict[str, str], log_path: Path, function_dir: Path = FUNCTION_DIR
) -> Iterator[str]:
    """The emulator running the function's handler; yields its invocation URL."""
    env = {**env, "LAMBDA_TASK_ROOT": str(function_dir), "PYTHONPATH": str(SHARED_DIR)}
    port, runtime_port = free_port(), free_port()
    command = [
        str(rie),
        "--runtime-interface-emulator-address",
        f"127.0.0.1:{port}",
        "--runtime-api-address",
        f"127.0.0.1:{runtime_port}",
        sys.executable,
        "-m",
        "awslambdaric",
        "app.handler",
    ]
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - the emulator binary and our interpreter
            command, cwd=function_dir, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        wait_for(lambda: listening(port) or process.poll() is not None, 30, "the emulator")
        if process.poll() is not None:
            raise RuntimeError(f"the emulator exited with {process.returncode}: see {log_path}")
        yield f"http://127.0.0.1:{port}{INVOKE_PATH}"
    finally:
        stop(process)


def invoke(url: str, event: bytes) -> Any:
    request = urllib.request.Request(url, data=event, method="POST")  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=INVOKE_TIMEOUT) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--function", choices=CHOICES, default="indexer", help="which function")
    parser.add_argument("--rie", type=Path, help="the emulator binary (default: from the wheel)")
    parser.add_argument(
        "--prepare", action="store_true", help="create the bucket, table and event objects"
    )
    parser.add_argument("events", nargs="+", type=Path, help="event files (events/*.json)")
    args = parser.parse_args(argv)
    rie = args.rie or find_rie()
    failed = False
    with tempfile.TemporaryDirectory(prefix="cblog-invoke-") as tmp:
        logs = Path(tmp)
        with endpoint(logs) as (url, started_here):
            settings = Settings.from_env({**os.environ, "AWS_ENDPOINT_URL": url})
            prepare = started_here or args.prepare
            if prepare:  # what the handler reads and writes; no queue (nothing relays here)
                ensure_bucket(settings.client("s3"), settings.bucket, settings.region)
                ensure_table(settings.client("dynamodb"), settings.table)
            function_dir, service = FUNCTIONS[CHOICES[args.function]]
            env = {**os.environ, **function_env(settings), "AWS_ENDPOINT_URL": url}
            env["POWERTOOLS_SERVICE_NAME"] = service
            with emulator(rie, env, logs / "emulator.log", function_dir) as invoke_url:
                for path in args.events:
                    body = path.read_bytes()
                    if prepare:
                        put_created_objects(settings, json.loads(body))
                    try:
                        result = invoke(invoke_url, body)
                    except (urllib.error.URLError, TimeoutError) as exc:
                        result, failed = {"invocationError": str(exc)}, True
                    if isinstance(result, dict) and "errorType" in result:
                        failed = True
                    print(json.dumps({"event": str(path), "result": result}), flush=True)
        if failed:
            print((logs / "emulator.log").read_text(errors="replace")[-5000:], file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
