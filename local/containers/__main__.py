"""Run a command with a Docker engine and the images it needs, then stop what was started.

    python -m local.containers [--images python,db,aws] -- pytest tests/containers

Starts a private dockerd when no engine answers (stopped by its pid at the end, whatever
happens), makes the named images available (real when they can be pulled, else stand-ins),
says which is which, and runs the command with ``DOCKER_HOST`` set. Exits with its status.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from contextlib import closing
from typing import NoReturn

import docker

from local.containers.engine import engine
from local.containers.images import compose_image, ensure_all, python_image

IMAGES = {
    "python": python_image,
    "db": lambda: compose_image("db"),
    "aws": lambda: compose_image("aws"),
    "cache": lambda: compose_image("cache"),
}


def _terminate(signum: int, _frame: object) -> NoReturn:
    # Turn SIGTERM into an exception, so the engine's `finally` stops dockerd.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.containers", description=__doc__)
    parser.add_argument(
        "--images", default="python", help="comma-separated: python, db, aws, cache"
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS]")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command after --")
    wanted = [IMAGES[name.strip()]() for name in args.images.split(",") if name.strip()]

    signal.signal(signal.SIGTERM, _terminate)
    with engine() as host:
        with closing(docker.DockerClient(base_url=host)) as client:
            version = client.version()
            print(f"Docker engine {version['Version']} (API {version['ApiVersion']}) at {host}")
            for provenance in ensure_all(client, wanted):
                print(f"image {provenance}", flush=True)
        run = subprocess.run(command, env={**os.environ, "DOCKER_HOST": host}, check=False)  # noqa: S603
        with closing(docker.DockerClient(base_url=host)) as client:
            # Untagged images older than a week: what rebuilds left behind. Younger ones stay,
            # among them the build stages (untagged too), which are the build cache.
            client.images.prune(filters={"dangling": True, "until": "168h"})
        return run.returncode


if __name__ == "__main__":
    sys.exit(main())
