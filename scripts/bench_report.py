"""The bench's verdicts and its printed table (the same figures go to the JSON file)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

PAGE_TARGET = 0.35  # home and detail each at least this share of the ceiling's requests/s
SCALE_TARGET = 0.80  # home at 10,000 posts within 20 % of home at 1,000


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
        failures = sum(r["non_2xx"] + r["socket_errors"] for r in rows if r["database"] == database)
        checks.append(
            {"database": database, "target": "failed requests", "value": failures, "limit": 0}
            | {"passed": failures == 0}
        )
    return checks


def _check(database: str, target: str, value: float | None, limit: float) -> dict[str, Any]:
    passed = value is not None and value >= limit
    return {"database": database, "target": target, "value": value, "limit": limit} | {
        "passed": passed
    }


def table(rows: list[dict[str, Any]], checks: list[dict[str, Any]]) -> str:
    head = f"{'database':<9}{'page':<24}{'posts':>6}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
    head += f"{'vs ceiling':>12}{'failed':>8}{'CPU ms/req':>12}{'CPU vs ceil':>13}"
    lines = [head, "-" * len(head)]
    for r in rows:
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.0%}"
        failed = r["non_2xx"] + r["socket_errors"]
        cpu_ratio = "" if r["cpu_ratio"] is None else f"{r['cpu_ratio']:.0%}"
        lines.append(
            f"{r['database']:<9}{r['label']:<24}{r['posts']:>6}{r['rps']:>9.1f}"
            f"{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{ratio:>12}{failed:>8}"
            f"{r['worker_cpu_ms_per_request']:>12.2f}{cpu_ratio:>13}"
        )
    lines += ["", "Targets:"]
    for c in checks:
        shown = f"{c['value']:.0%}" if isinstance(c["value"], float) else str(c["value"])
        limit = f"{c['limit']:.0%}" if isinstance(c["limit"], float) else str(c["limit"])
        bound = "<=" if c["target"] == "failed requests" else ">="
        verdict = "PASS" if c["passed"] else "FAIL"
        line = f"  {verdict}  {c['database']:<7} {c['target']:<26} {shown:>6} ({bound} {limit})"
        if c.get("cpu_value") is not None:
            line += f"   by worker CPU time: {c['cpu_value']:.0%}"
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
