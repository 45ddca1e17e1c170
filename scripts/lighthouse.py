"""Lighthouse scores of the home page and a post page, mobile preset, with Debian's Chromium.

    make dev                                   # in another terminal: the blog on :8000
    uv run --frozen python scripts/lighthouse.py [--base http://127.0.0.1:8000] [PATH ...]

Lighthouse (npm, pinned: 12.2.3 is the last release that runs on Node 20) is installed on first
use into .local/lighthouse/. Prints performance, accessibility, best practices and SEO for each
page, keeps the JSON reports in test-artifacts/lighthouse/, and exits 1 when a score is below
--min (default 95).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PREFIX = ROOT / ".local" / "lighthouse"
VERSION = "12.2.3"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
DEFAULT_PATHS = ("/", "/posts/a-week-on-the-lycian-way/")


def lighthouse_bin() -> Path:
    binary = PREFIX / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        if shutil.which("npm") is None:
            sys.exit("npm is not installed (apt-get install npm)")
        PREFIX.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603 - fixed argv
            [  # noqa: S607 - npm from PATH, like any developer tool
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(PREFIX),
                "-E",
                f"lighthouse@{VERSION}",
            ],
            check=True,
        )
    return binary


def audit(binary: Path, url: str, report: Path, chromium: str) -> dict[str, int]:
    """Run Lighthouse once on ``url`` (mobile preset, the default) and return its scores."""
    subprocess.run(  # noqa: S603 - fixed argv and a URL we were given
        [
            str(binary),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            f"--only-categories={','.join(CATEGORIES)}",
        ],
        check=True,
        env={**os.environ, "CHROME_PATH": chromium},
    )
    categories = json.loads(report.read_text())["categories"]
    return {name: round(categories[name]["score"] * 100) for name in CATEGORIES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=list(DEFAULT_PATHS))
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--min", type=int, default=95, help="lowest acceptable score")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("Chromium is not installed (apt-get install chromium)")
    binary = lighthouse_bin()
    out = ROOT / "test-artifacts" / "lighthouse"
    out.mkdir(parents=True, exist_ok=True)
    failed = False
    print(f"{'page':<45} " + " ".join(f"{name:>14}" for name in CATEGORIES))
    for path in args.paths:
        name = path.strip("/").replace("/", "_") or "home"
        scores = audit(binary, args.base.rstrip("/") + path, out / f"{name}.json", chromium)
        failed |= any(score < args.min for score in scores.values())
        print(f"{path:<45} " + " ".join(f"{scores[name]:>14}" for name in CATEGORIES))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
