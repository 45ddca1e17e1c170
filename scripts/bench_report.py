"""The bench's verdicts and its printed table (the same figures go to the JSON file)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

PAGE_TARGET = 0.35  # home and detail each at least this share of the ceiling's requests/s
SCALE_TARGET = 0.80  # home at 10,000 posts within 20 % of home at 1,000
# Threaded workers against sync ones on the same page: the extra worker CPU time per request
# (robust to other load on the machine) at most this. A rendered page costs 15-25 ms, a page
# cache hit about 1 ms; gthread's thread hand-off and keep-alive bookkeeping cost ~0.1-0.3 ms.
THREADS_OVERHEAD_MS = 0.5


def add_ratios(rows: list[dict[str, Any]]) -> None:
    """Each row's requests/s as a share of the ceiling measured on the same database.

    ``cpu_ratio`` is the same share computed from the workers' CPU time per request: what the
    ratio would be if the workers had the CPUs to themselves (the database server's CPU is not
    in it).
    """
    ceilings = {r["database"]: r for r in rows if r["page"] == "ceiling"}
    for row in rows:
        ceiling = ceilings.get(row["database"])
        row["ratio"] = round(row["rps"] / ceiling["rps"], 3) if ceiling else None
        cpu = row["worker_cpu_ms_per_request"]
        row["cpu_ratio"] = (
            round(ceiling["worker_cpu_ms_per_request"] / cpu, 3) if ceiling and cpu else None
        )


def _find(rows: list[dict[str, Any]], database: str, page: str) -> dict[str, Any] | None:
    return next((r for r in rows if r["database"] == database and r["page"] == page), None)


def verdicts(rows: list[dict[str, Any]], *, posts: int, large: int) -> list[dict[str, Any]]:
    """One entry per target and database: what was measured, the target, and whether it passed."""
    checks: list[dict[str, Any]] = []
    for database in dict.fromkeys(r["database"] for r in rows):
        for page in ("home", "detail"):
            row = _find(rows, database, page)
            if row is not None:
                check = _check(database, f"{page} / ceiling", row["ratio"], PAGE_TARGET)
                checks.append(check | {"cpu_value": row["cpu_ratio"]})
        small, big = _find(rows, database, "home"), _find(rows, database, f"home@{large}")
        if small and big:
            name = f"home@{large} / home@{posts}"
            check = _check(database, name, round(big["rps"] / small["rps"], 3), SCALE_TARGET)
            cpu = small["worker_cpu_ms_per_request"], big["worker_cpu_ms_per_request"]
            checks.append(check | {"cpu_value": round(cpu[0] / cpu[1], 3) if all(cpu) else None})
        for page in ("home", "detail"):
            threaded, sync = _find(rows, database, page), _find(rows, database, f"{page}-sync")
            if threaded and sync:
                extra = threaded["worker_cpu_ms_per_request"] - sync["worker_cpu_ms_per_request"]
                name = f"{page}: threads' extra CPU"
                check = _at_most(database, name, round(extra, 3), THREADS_OVERHEAD_MS, "ms")
                checks.append(check | {"rps_value": round(threaded["rps"] / sync["rps"], 3)})
        closed = [
            r["label"]
            for r in rows
            if r["database"] == database
            and not r["page"].endswith("-sync")
            and not r.get("keep_alive", True)
        ]
        checks.append(_at_most(database, "connections closed", len(closed), 0) | {"pages": closed})
        failures = sum(r["non_2xx"] + r["socket_errors"] for r in rows if r["database"] == database)
        checks.append(_at_most(database, "failed requests", failures, 0))
    return checks


def _check(database: str, target: str, value: float | None, limit: float) -> dict[str, Any]:
    """A share that must reach ``limit``."""
    passed = value is not None and value >= limit
    return {"database": database, "target": target, "value": value, "limit": limit} | {
        "passed": passed,
        "bound": ">=",
        "unit": "%",
    }


def _at_most(
    database: str, target: str, value: float, limit: float, unit: str = ""
) -> dict[str, Any]:
    """An amount (a count, or milliseconds) that must not exceed ``limit``."""
    return {"database": database, "target": target, "value": value, "limit": limit} | {
        "passed": value <= limit,
        "bound": "<=",
        "unit": unit,
    }


def _shown(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "%":
        return f"{value:.0%}"
    if unit == "ms":
        return f"{value:+.2f} ms"
    return str(value)


def table(rows: list[dict[str, Any]], checks: list[dict[str, Any]]) -> str:
    head = f"{'database':<9}{'page':<24}{'posts':>6}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
    head += f"{'vs ceiling':>12}{'failed':>8}{'CPU ms/req':>12}{'CPU vs ceil':>13}{'conn':>7}"
    lines = [head, "-" * len(head)]
    for r in rows:
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.0%}"
        failed = r["non_2xx"] + r["socket_errors"]
        cpu_ratio = "" if r["cpu_ratio"] is None else f"{r['cpu_ratio']:.0%}"
        lines.append(
            f"{r['database']:<9}{r['label']:<24}{r['posts']:>6}{r['rps']:>9.1f}"
            f"{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{ratio:>12}{failed:>8}"
            f"{r['worker_cpu_ms_per_request']:>12.2f}{cpu_ratio:>13}"
            f"{'kept' if r.get('keep_alive', True) else 'closed':>7}"
        )
    lines += ["", "Targets:"]
    for c in checks:
        shown, limit = _shown(c["value"], c["unit"]), _shown(c["limit"], c["unit"])
        verdict = "PASS" if c["passed"] else "FAIL"
        line = (
            f"  {verdict}  {c['database']:<7} {c['target']:<26} {shown:>9} ({c['bound']} {limit})"
        )
        if c.get("cpu_value") is not None:
            line += f"   by worker CPU time: {c['cpu_value']:.0%}"
        if c.get("rps_value") is not None:
            line += f"   by requests/s: {c['rps_value']:.0%}"
        lines.append(line)
    return "\n".join(lines)


def git_commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=Path(__file__).resolve().parent,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()
