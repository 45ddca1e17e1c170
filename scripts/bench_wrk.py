"""Run wrk and read its report: requests/s, latency percentiles and failures.

Self-contained (standard library only) so the unit test can import it without Django.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

THREADS = 2
CONNECTIONS = 16
MIX_SCRIPT = Path(__file__).resolve().parent / "bench_mix.lua"

_TO_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_PERCENTILE = re.compile(r"^\s*(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.M)
_TOTAL = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", re.M)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_NON_2XX = re.compile(r"^\s*Non-2xx or 3xx responses:\s+(\d+)", re.M)
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.M)


class WrkOutputError(ValueError):
    """wrk's output lacks a figure the bench needs (wrk failed or changed its format)."""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    @property
    def failures(self) -> int:
        return self.non_2xx + self.socket_errors

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def to_ms(value: str, unit: str) -> float:
    return float(value) * _TO_MS[unit]


def parse_wrk(output: str) -> WrkResult:
    """Parse the text ``wrk --latency`` prints; raises WrkOutputError when a figure is missing."""
    percentiles = {int(p): to_ms(v, u) for p, v, u in _PERCENTILE.findall(output)}
    total, rps = _TOTAL.search(output), _RPS.search(output)
    if total is None or rps is None or 50 not in percentiles or 99 not in percentiles:
        raise WrkOutputError(f"not a complete `wrk --latency` report:\n{output}")
    non_2xx = _NON_2XX.search(output)
    socket = _SOCKET.search(output)
    return WrkResult(
        requests=int(total.group(1)),
        duration_s=to_ms(total.group(2), total.group(3)) / 1000,
        rps=float(rps.group(1)),
        p50_ms=percentiles[50],
        p99_ms=percentiles[99],
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(n) for n in socket.groups()) if socket else 0,
    )


def wrk_command(
    url: str,
    *,
    seconds: int,
    headers: dict[str, str] | None = None,
    connections: int = CONNECTIONS,
    script: Path | None = None,
) -> list[str]:
    command = ["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    return [*command, url]


def run_wrk(
    url: str,
    *,
    seconds: int,
    headers: dict[str, str] | None = None,
    connections: int = CONNECTIONS,
    paths: list[str] | None = None,
) -> WrkResult:
    """Load ``url`` (or cycle through ``paths`` on its server) for ``seconds``; the timeout
    stops a wrk that hangs."""
    env = {**os.environ, "BENCH_PATHS": ",".join(paths)} if paths else None
    done = subprocess.run(  # noqa: S603 - fixed argv, loopback URL
        wrk_command(
            url,
            seconds=seconds,
            headers=headers,
            connections=connections,
            script=MIX_SCRIPT if paths else None,
        ),
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
        env=env,
    )
    return parse_wrk(done.stdout)
