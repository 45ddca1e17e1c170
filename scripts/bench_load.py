"""One measured page: check it answers, warm it up, load it with wrk right after a short run
of the ceiling on the same server, and read the workers' CPU for both."""

from __future__ import annotations

import argparse
import http.client
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import bench_server as server
from bench_django import CEILING_PATH
from bench_wrk import WrkResult, run_wrk

VISITOR = secrets.token_hex(16)  # a returning visitor: 32 hex characters, like the app's own
RETURNING = {"Cookie": f"cblog_visitor={VISITOR}"}
# A session cookie the database has never issued (well-formed, so it is looked up).
JUNK_SESSION = {"Cookie": f"sessionid={secrets.token_hex(16)}"}


@dataclass(frozen=True)
class Page:
    """What to load: ``page`` names the row in verdicts, ``label`` in the table."""

    page: str
    label: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    # Set-Cookie expected on every response (a first visit); otherwise the cookies we send
    # must be accepted (no new visitor cookie).
    new_visitor: bool = False


def fetch(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    """One GET over HTTP/1.1, as a browser or the ALB sends it (urllib would ask the server
    to close): the page's size and the response headers (200 or it raises)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target or "/", headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status}")
        return len(body), {name.title(): value for name, value in response.getheaders()}
    finally:
        connection.close()


def _measure(
    app: server.Server, url: str, seconds: int, headers: dict[str, str]
) -> tuple[WrkResult, float]:
    cpu_before = app.worker_cpu_seconds()
    result = run_wrk(url, seconds=seconds, headers=headers)
    cpu_ms = (app.worker_cpu_seconds() - cpu_before) * 1000 / max(result.requests, 1)
    return result, cpu_ms


def load(app: server.Server, spec: Page, args: argparse.Namespace, **extra: Any) -> dict[str, Any]:
    """Check the page answers 200, warm it up, measure the ceiling for a moment, then the page.

    The ceiling is measured right before each page, on the same server, so both see the same
    machine: other work on a shared machine moves both requests/s figures together.
    """
    url = app.base + spec.path
    size, response_headers = fetch(url, spec.headers)
    sets_visitor = "cblog_visitor" in response_headers.get("Set-Cookie", "")
    if spec.new_visitor != sets_visitor:
        raise RuntimeError(f"{spec.path}: visitor cookie set: {sets_visitor}, expected the other")
    if args.warmup:
        run_wrk(url, seconds=args.warmup, headers=spec.headers)
    ceiling, ceiling_cpu = _measure(app, app.base + CEILING_PATH, args.ceiling_seconds, {})
    problems_before = app.log_problems()
    result, cpu_ms = _measure(app, url, args.seconds, spec.headers)
    row = {"page": spec.page, "label": spec.label, "path": spec.path, "bytes": size, **extra}
    row |= result.as_dict() | {"worker_cpu_ms_per_request": round(cpu_ms, 3)}
    row |= {
        "ceiling_rps": ceiling.rps,
        "ceiling_cpu_ms_per_request": round(ceiling_cpu, 3),
        "ceiling_failures": ceiling.failures,
        "ratio": round(result.rps / ceiling.rps, 3) if ceiling.rps else None,
        "cpu_ratio": round(ceiling_cpu / cpu_ms, 3) if cpu_ms else None,
        "app_log_problems": app.log_problems() - problems_before,
        # wrk reuses connections; whether the server lets it is this header.
        "keep_alive": response_headers.get("Connection", "").lower() != "close",
    }
    print(
        f"  {spec.label:<30} {result.rps:>8.1f} req/s ({row['ratio']:.0%} of ceiling)  "
        f"{cpu_ms:.2f} worker CPU ms/request ({row['cpu_ratio']:.0%})",
        flush=True,
    )
    return row


def load_mix(
    app: server.Server, paths: list[str], headers: dict[str, str], seconds: int, connections: int
) -> dict[str, Any]:
    """``connections`` clients cycling through ``paths`` for ``seconds`` (no ceiling)."""
    for path in paths:
        fetch(app.base + path, headers)
    cpu_before = app.worker_cpu_seconds()
    result = run_wrk(
        app.base + paths[0], seconds=seconds, headers=headers, connections=connections, paths=paths
    )
    cpu_ms = (app.worker_cpu_seconds() - cpu_before) * 1000 / max(result.requests, 1)
    print(
        f"  c{connections} x {seconds} s: {result.rps:.1f} req/s, p99 {result.p99_ms:.1f} ms, "
        f"{result.failures} failed",
        flush=True,
    )
    return result.as_dict() | {
        "failures": result.failures,
        "worker_cpu_ms_per_request": round(cpu_ms, 3),
        "connections": connections,
        "paths": paths,
    }
