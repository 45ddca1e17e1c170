"""Keep the local AWS endpoint's state across `make dev` sessions.

moto keeps everything in memory. Started with MOTO_ENABLE_RECORDING=True and
MOTO_RECORDER_FILEPATH=<file>, it can append every request it receives to that file and replay
the file into a fresh server. `make dev` replays the previous sessions' requests (buckets,
objects, table items, parameters), then records the new session's, so media uploaded yesterday
still shows today. `make clean` deletes the file and starts from scratch.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger("bootstrap")

# Requests that change nothing worth keeping: reads, and all queue traffic (the bootstrap makes
# the queue again; its messages are transient). Replaying a long-poll would also block.
_READ_ACTIONS = ("Get", "Describe", "List", "Query", "Scan", "Receive", "BatchGet")


def keeps_state(request: dict[str, Any]) -> bool:
    """Whether a recorded request must be replayed to rebuild the endpoint's state."""
    if request.get("method") in {"GET", "HEAD", "OPTIONS"}:
        return False
    target = request.get("headers", {}).get("X-Amz-Target", "")
    if target.startswith("AmazonSQS."):
        return False
    return not target.rpartition(".")[2].startswith(_READ_ACTIONS)


def compact(recording: Path) -> tuple[int, int]:
    """Drop what ``keeps_state`` rejects from the recording; returns (kept, dropped)."""
    kept = dropped = 0
    compacted = recording.with_suffix(".compacting")
    with recording.open(encoding="utf-8") as source, compacted.open("w", encoding="utf-8") as out:
        for line in source:
            if line.strip() and keeps_state(json.loads(line)):
                out.write(line)
                kept += 1
            else:
                dropped += 1
    compacted.replace(recording)
    return kept, dropped


def _post(endpoint: str, action: str) -> None:
    url = urlsplit(endpoint)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=600)
    try:
        connection.request("POST", f"/moto-api/recorder/{action}")
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"{action} failed ({response.status}): {body[:200]!r}")


def restore_and_record(endpoint: str, recording: Path | None) -> None:
    """Replay ``recording`` (if it exists, compacted) into the endpoint, then record to it.

    ``recording`` must be the file the server was started with (MOTO_RECORDER_FILEPATH); the
    server reads and appends it itself.
    """
    if recording is None:
        return
    if recording.exists() and recording.stat().st_size:
        kept, dropped = compact(recording)
        size_mb = recording.stat().st_size / 1e6
        log.info(
            "replaying %d requests (%.1f MB; %d reads dropped) from %s",
            kept,
            size_mb,
            dropped,
            recording,
        )
        _post(endpoint, "replay-recording")
    _post(endpoint, "start-recording")
    log.info("recording the local endpoint's requests to %s", recording)


def recording_from_env() -> Path | None:
    """The recording file when the server records (as `make dev` starts it), else None."""
    if os.environ.get("MOTO_ENABLE_RECORDING", "").lower() not in {"1", "true"}:
        return None
    path = os.environ.get("MOTO_RECORDER_FILEPATH", "")
    return Path(path) if path else None
