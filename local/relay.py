"""Relay the local bucket's S3 notifications from SQS to the real pipeline handlers.

What Lambda's S3 triggers do on AWS, done here without Docker: long-poll the queue that
local.bootstrap wired to the bucket, call the `handler` of each function in FUNCTIONS (the
indexer, then the deriver) with each message body (an S3 event in the Lambda shape) and a
Lambda-like context, and delete a message only after every handler returned. A failed message
stays on the queue and is retried (by both functions: each is idempotent) after the visibility
timeout, then lands in the dead-letter queue, as with an asynchronous Lambda.

    AWS_ENDPOINT_URL=http://127.0.0.1:5000 uv run --frozen python -m local.relay

SIGINT/SIGTERM: an idle poll is interrupted at once; a message being handled is finished first.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from botocore.exceptions import ConnectionError as EndpointUnreachable

from local.bootstrap import Settings

FUNCTIONS_DIR = Path(__file__).resolve().parent.parent / "functions"
# Every function's code folder and Powertools service name; SHARED_DIR is their layer.
FUNCTIONS = {
    "MediaIndexerFunction": (FUNCTIONS_DIR / "media_indexer", "media-indexer"),
    "MediaDeriverFunction": (FUNCTIONS_DIR / "media_deriver", "media-deriver"),
}
FUNCTION_DIR = FUNCTIONS["MediaIndexerFunction"][0]
SHARED_DIR = FUNCTIONS_DIR / "shared"
log = logging.getLogger("relay")

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """The parts of Lambda's context object that Powertools and the handler read."""

    function_name: str = "MediaIndexerFunction"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    timeout_seconds: float = 30.0
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:MediaIndexer"
    log_group_name: str = "/aws/lambda/MediaIndexer"
    log_stream_name: str = "local/relay"
    _started: float = field(default_factory=time.monotonic, repr=False)

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self._started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))


def load_handler(function_dir: Path = FUNCTION_DIR, service: str | None = None) -> Handler:
    """Import the function's app.py as Lambda does: its folder and its layer on sys.path.

    The modules of one function have names no other function uses (`indexing`; `renditions`,
    `deriving`), and each app.py is loaded as `<folder>_app`, so both live in one process.
    Powertools reads its service name when app.py creates the Logger: `service` is set then.
    """
    for folder in (SHARED_DIR, function_dir):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    name = f"{function_dir.name}_app"
    spec = importlib.util.spec_from_file_location(name, function_dir / "app.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"no app.py in {function_dir}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    previous = os.environ.get("POWERTOOLS_SERVICE_NAME")
    if service:
        os.environ["POWERTOOLS_SERVICE_NAME"] = service
    try:
        spec.loader.exec_module(module)
    finally:
        if previous is not None:
            os.environ["POWERTOOLS_SERVICE_NAME"] = previous
    return module.handler


def load_handlers() -> dict[str, Handler]:
    """Every function's handler, by function name, in the order they run."""
    return {name: load_handler(folder, service) for name, (folder, service) in FUNCTIONS.items()}


def function_env(settings: Settings) -> dict[str, str]:
    """The function's environment on a local endpoint: what template.yaml's Globals and the
    Lambda service set on AWS (the handler's own clients read these)."""
    return {
        "AWS_REGION": settings.region,
        "AWS_DEFAULT_REGION": settings.region,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "MEDIA_INDEX_TABLE": settings.table,
        "POWERTOOLS_SERVICE_NAME": "media-indexer",
        "POWERTOOLS_METRICS_NAMESPACE": "cblog",
        "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon locally
    }


class _Interrupted(BaseException):
    """Raised by the signal handler to break out of an idle long poll.

    A BaseException, like KeyboardInterrupt: botocore catches (and retries) Exception.
    """


class Relay:
    def __init__(
        self, sqs: Any, queue_url: str, handlers: Mapping[str, Handler], *, wait_seconds: int = 10
    ):
        self.sqs, self.queue_url, self.handlers = sqs, queue_url, dict(handlers)
        self.wait_seconds = wait_seconds
        self.stopping = threading.Event()
        self._idle = False

    def on_signal(self, signum: int, _frame: object) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        self.stopping.set()
        if self._idle:
            raise _Interrupted

    def run(self) -> None:
        log.info("relaying %s to %s", self.queue_url, ", ".join(self.handlers))
        try:
            while not self.stopping.is_set():
                for message in self._receive():
                    if self.stopping.is_set():
                        break  # not deleted: visible again after the visibility timeout
                    self.handle(message)
        except _Interrupted:
            pass
        log.info("relay stopped")

    def _receive(self) -> list[dict[str, Any]]:
        self._idle = True
        try:
            if self.stopping.is_set():
                return []
            response = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=self.wait_seconds,
            )
        finally:
            self._idle = False
        return response.get("Messages", [])

    def handle(self, message: dict[str, Any]) -> bool:
        """Handle one message; True when it was deleted (done), False when left for a retry."""
        message_id = message["MessageId"]
        try:
            body = json.loads(message["Body"])
        except ValueError:
            log.error("message %s is not JSON; left for the dead-letter queue", message_id)
            return False
        if body.get("Event") == "s3:TestEvent":
            bucket = body.get("Bucket")
            log.info("message %s: s3:TestEvent for bucket %s, skipped", message_id, bucket)
        else:
            records = body.get("Records")
            count = len(records) if isinstance(records, list) else 0
            for name, handler in self.handlers.items():
                try:
                    result = handler(body, LambdaContext(function_name=name))
                except Exception:
                    log.exception(
                        "message %s: %s failed; it stays queued for a retry", message_id, name
                    )
                    return False
                log.info("message %s: %s, %d record(s) -> %s", message_id, name, count, result)
        self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return True


def queue_url(sqs: Any, name: str, timeout: float) -> str:
    """The queue's URL, waiting (bounded) for the bootstrap to have created it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return sqs.get_queue_url(QueueName=name)["QueueUrl"]
        except (ClientError, EndpointUnreachable):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--poll", type=int, default=10, help="long-poll seconds (1-20)")
    parser.add_argument("--wait", type=float, default=30.0, help="seconds to wait for the queue")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings.from_env()
    for name, value in function_env(settings).items():
        os.environ.setdefault(name, value)
    sqs = settings.client("sqs")
    url = queue_url(sqs, settings.queue, args.wait)
    relay = Relay(sqs, url, load_handlers(), wait_seconds=args.poll)
    signal.signal(signal.SIGINT, relay.on_signal)
    signal.signal(signal.SIGTERM, relay.on_signal)
    relay.run()


if __name__ == "__main__":
    main()
