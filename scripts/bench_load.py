"""One measured page: check it answers, warm it up, load it with wrk, read the workers' CPU."""

from __future__ import annotations

import argparse
import http.client
import secrets
from typing import Any
from urllib.parse import urlsplit

import bench_server as server
from bench_wrk import run_wrk

VISITOR = secrets.token_hex(16)  # a returning visitor: 32 hex characters, like the app's own


def fetch(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    """One GET over HTTP/1.1, as a browser or the ALB sends it (urllib would ask the server
    to close): the page's size and the response headers (200 or it raises)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", parts.path or "/", headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status}")
        return len(body), {name.title(): value for name, value in response.getheaders()}
    finally:
        connection.close()


def load(
    app: server.Server, page: str, label: str, path: str, args: argparse.Namespace, **extra: Any
) -> dict[str, Any]:
    """Check the page answers 200, warm it up, then measure it with wrk."""
    url = app.base + path
    headers = {"Cookie": f"cblog_visitor={VISITOR}"} if extra.get("visitor") == "returning" else {}
    size, response_headers = fetch(url, headers)
    if headers and "cblog_visitor" in response_headers.get("Set-Cookie", ""):
        raise RuntimeError(f"{path}: the visitor cookie was not accepted")
    if args.warmup:
        run_wrk(url, seconds=args.warmup, headers=headers)
    cpu_before, problems_before = app.worker_cpu_seconds(), app.log_problems()
    result = run_wrk(url, seconds=args.seconds, headers=headers)
    cpu_ms = (app.worker_cpu_seconds() - cpu_before) * 1000 / max(result.requests, 1)
    extra["app_log_problems"] = app.log_problems() - problems_before
    # wrk reuses connections; whether the server lets it is this header.
    extra["keep_alive"] = response_headers.get("Connection", "").lower() != "close"
    row = {"page": page, "label": label, "path": path, "bytes": size, **extra}
    row |= result.as_dict() | {"worker_cpu_ms_per_request": round(cpu_ms, 3)}
    print(
        f"  {label:<24} {result.rps:>8.1f} req/s  p50 {result.p50_ms:.2f} ms  "
        f"{cpu_ms:.2f} worker CPU ms/request",
        flush=True,
    )
    return row
