"""The bench's reading of wrk's report (no wrk run: the reports are recorded text)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


@pytest.fixture(scope="module")
def bench_wrk() -> ModuleType:
    """scripts/bench_wrk.py, imported the way `python scripts/bench.py` finds it."""
    sys.path.insert(0, str(SCRIPTS))
    try:
        return importlib.import_module("bench_wrk")
    finally:
        sys.path.remove(str(SCRIPTS))


CLEAN = """\
Running 2s test @ http://127.0.0.1:18999/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    22.39ms   55.50ms 429.80ms   94.86%
    Req/Sec   360.77    189.45   660.00     60.00%
  Latency Distribution
     50%    9.60ms
     75%   13.60ms
     90%   20.49ms
     99%  362.95ms
  1114 requests in 2.06s, 8.40MB read
Requests/sec:    539.96
Transfer/sec:      4.07MB
"""

WITH_FAILURES = """\
Running 10s test @ http://127.0.0.1:40123/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   812.00us  101.00us   1.90s    90.00%
    Req/Sec     1.31k   100.00     1.50k    70.00%
  Latency Distribution
     50%  812.00us
     75%    1.10ms
     90%    1.50ms
     99%    1.20s
  26100 requests in 10.01s, 520.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   2607.39
Transfer/sec:     51.95MB
"""


def test_clean_report_gives_rate_and_percentiles_in_ms(bench_wrk: ModuleType) -> None:
    result = bench_wrk.parse_wrk(CLEAN)

    assert result.rps == pytest.approx(539.96)
    assert result.requests == 1114
    assert result.duration_s == pytest.approx(2.06)
    assert result.p50_ms == pytest.approx(9.60)
    assert result.p99_ms == pytest.approx(362.95)
    assert result.failures == 0


def test_microseconds_seconds_and_failures_are_read(bench_wrk: ModuleType) -> None:
    result = bench_wrk.parse_wrk(WITH_FAILURES)

    assert result.p50_ms == pytest.approx(0.812)
    assert result.p99_ms == pytest.approx(1200.0)
    assert (result.non_2xx, result.socket_errors, result.failures) == (7, 5, 12)
    assert result.rps == pytest.approx(2607.39)


def test_report_without_latency_distribution_is_rejected(bench_wrk: ModuleType) -> None:
    without = "\n".join(line for line in CLEAN.splitlines() if "%  " not in line[:12])

    with pytest.raises(bench_wrk.WrkOutputError):
        bench_wrk.parse_wrk(without)


def test_command_sends_headers_at_16_connections(bench_wrk: ModuleType) -> None:
    command = bench_wrk.wrk_command(
        "http://127.0.0.1:1/p/", seconds=10, headers={"Cookie": "cblog_visitor=" + "a" * 32}
    )

    assert command[:5] == ["wrk", "-t2", "-c16", "-d10s", "--latency"]
    assert command[5:] == ["-H", "Cookie: cblog_visitor=" + "a" * 32, "http://127.0.0.1:1/p/"]
