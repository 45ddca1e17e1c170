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


@pytest.fixture(scope="module")
def bench_report() -> ModuleType:
    sys.path.insert(0, str(SCRIPTS))
    try:
        return importlib.import_module("bench_report")
    finally:
        sys.path.remove(str(SCRIPTS))


def row(database: str, posts: int, page: str, *, rps: float, cpu: float, **more: object) -> dict:
    """A measured page as bench_load returns it; the paired ceiling: 1000 req/s, 1 ms CPU."""
    return {
        "database": database,
        "posts": posts,
        "page": page,
        "label": page,
        "rps": rps,
        "worker_cpu_ms_per_request": cpu,
        "ratio": rps / 1000,
        "cpu_ratio": 1 / cpu,
        "non_2xx": 0,
        "socket_errors": 0,
        "ceiling_failures": 0,
        "keep_alive": True,
        "p99_ms": 20.0,
    } | more


def by_target(checks: list[dict]) -> dict[tuple, dict]:
    return {(c["database"], c["posts"], c["target"]): c for c in checks}


def test_a_share_passes_by_cpu_when_requests_per_second_are_depressed(bench_report) -> None:
    rows = [
        row("sqlite", 1000, "signed-home", rps=200, cpu=2.5),  # 20 % by req/s, 40 % by CPU
        row("sqlite", 1000, "signed-detail", rps=300, cpu=4.0),  # 30 % and 25 %: missed
    ]
    checks = by_target(bench_report.verdicts(rows, [], sizes=[1000]))

    home = checks[("sqlite", 1000, "signed-home / ceiling")]
    assert home["passed"]
    assert home["judged_by"] == "worker CPU"
    assert not checks[("sqlite", 1000, "signed-detail / ceiling")]["passed"]


def test_mariadb_data_size_rows_are_judged_by_requests_per_second_only(bench_report) -> None:
    rows = [
        row(db, posts, "cold-search", rps=rps, cpu=5.0)
        for db in ("sqlite", "mysql")
        for posts, rps in ((1000, 100), (10000, 50))  # half the rate, the same worker CPU
    ]
    checks = by_target(bench_report.verdicts(rows, [], sizes=[1000, 10000]))

    name = "cold-search flat in data size"
    assert checks[("sqlite", "10000÷1000", name)]["passed"]  # the workers' CPU is all of it
    assert not checks[("mysql", "10000÷1000", name)]["passed"]  # the database's CPU is not


def test_junk_costs_at_most_twice_a_cache_hit_and_load_p99_is_bounded(bench_report) -> None:
    rows = [
        row("mysql", 1000, "home", rps=900, cpu=1.0),
        row("mysql", 1000, "utm-home", rps=850, cpu=1.1),
        row("mysql", 1000, "junk-session", rps=300, cpu=2.5),
    ]
    load = [{"database": "mysql", "posts": 1000, "connections": 64, "duration_s": 60.0}]
    load[0] |= {"p99_ms": 620.0, "failures": 0}
    checks = by_target(bench_report.verdicts(rows, load, sizes=[1000]))

    assert checks[("mysql", 1000, "utm-home vs cache hit")]["passed"]
    assert not checks[("mysql", 1000, "junk-session vs cache hit")]["passed"]
    assert not checks[("mysql", 1000, "signed-in c64 x 60 s: p99 ms")]["passed"]
    assert checks[("mysql", 1000, "signed-in c64 x 60 s: failed")]["passed"]


def test_readme_table_is_replaced_between_the_markers(bench_report, tmp_path) -> None:
    rows = [row("sqlite", 1000, "rss", rps=800, cpu=1.2)]
    report = {
        "started_at": "20261202T070000Z",
        "commit": "abc1234",
        "machine": {"cpus": 2, "platform": "Linux"},
        "load_average": {"before": [1.0, 1, 1], "after": [2.0, 2, 2]},
        "elapsed_s": 900,
        "rows": rows,
        "load": [],
        "targets": bench_report.verdicts(rows, [], sizes=[1000]),
    }
    readme = tmp_path / "README.md"
    readme.write_text("before\n<!-- bench:start -->\nold\n<!-- bench:end -->\nafter\n")

    bench_report.update_readme(report, readme)

    text = readme.read_text()
    assert "old" not in text
    assert text.startswith("before\n")
    assert text.endswith("after\n")
    assert "| SQLite | 1,000 | rss | 800 |" in text
    assert "2026-12-02, commit abc1234" in text
