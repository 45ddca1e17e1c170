"""Every image web/Dockerfile and docker-compose.yml name: real when it can be pulled, else a
stand-in built from Debian packages and tagged with the real name.

Stand-ins carry the label ``org.cblog.stand-in`` with a digest of their recipe (and of the base
they were built on), so a cached one is reused until its recipe changes.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import docker
import yaml
from docker.errors import APIError, BuildError, ImageNotFound

ROOT = Path(__file__).resolve().parents[2]
STANDINS = Path(__file__).resolve().parent / "standins"
LABEL = "org.cblog.stand-in"
PULL_TIMEOUT = 300


@dataclass(frozen=True)
class Provenance:
    """Where an image came from, for the first lines of a test run."""

    name: str
    source: str  # "real (pulled)", "real (local copy)", "stand-in (cached)", "stand-in (built)"
    seconds: float

    def __str__(self) -> str:
        return f"{self.name}: {self.source} in {self.seconds:.0f} s"


def python_image() -> str:
    """The base image web/Dockerfile builds on (its PYTHON_IMAGE default)."""
    match = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", (ROOT / "web" / "Dockerfile").read_text(), re.M)
    if match is None:
        raise LookupError("web/Dockerfile declares no ARG PYTHON_IMAGE=<default>")
    return match.group(1)


def compose_image(service: str) -> str:
    """The registry image docker-compose.yml runs for ``service``."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose["services"][service]["image"]


def locked_version(package: str) -> str:
    """``package``'s version in uv.lock."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return next(p["version"] for p in lock["package"] if p["name"] == package)


def debian_mirror() -> str:
    """The Debian mirror in this machine's apt sources (deb822 or one-line format)."""
    sources = [Path("/etc/apt/sources.list"), *Path("/etc/apt/sources.list.d").glob("*")]
    for path in sources:
        text = path.read_text(errors="replace") if path.is_file() else ""
        match = re.search(r"^(?:URIs:|deb)\s+(\S+/debian)/?\s", text, re.M)
        if match:
            return match.group(1)
    return "http://deb.debian.org/debian"


def _digest(*parts: str | bytes) -> str:
    sha = hashlib.sha256()
    for part in parts:
        sha.update(part.encode() if isinstance(part, str) else part)
    return sha.hexdigest()[:16]


def _recipe_digest(folder: Path, *extra: str) -> str:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return _digest(*(p.read_bytes() for p in files), *extra)


def _local(client: docker.DockerClient, name: str) -> docker.models.images.Image | None:
    try:
        return client.images.get(name)
    except ImageNotFound:
        return None


def _pull(client: docker.DockerClient, name: str) -> bool:
    repository, _, tag = name.rpartition(":")
    try:
        client.images.pull(repository, tag=tag)
    except APIError:
        return False
    return True


def _build_python_base(client: docker.DockerClient, name: str, digest: str) -> None:
    with tempfile.TemporaryDirectory(prefix="cblog-base-") as tmp:
        tarball = Path(tmp) / "rootfs.tar"
        subprocess.run(  # noqa: S603 - our own script, fixed arguments
            ["bash", str(STANDINS / "python.sh"), str(tarball), debian_mirror()],  # noqa: S607
            check=True,
        )
        repository, _, tag = name.rpartition(":")
        client.api.import_image_from_file(
            str(tarball),
            repository=repository,
            tag=tag,
            changes=[
                "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
                "ENV LANG=C.UTF-8",
                "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
                f"LABEL {LABEL}={digest}",
                'CMD ["python3"]',
            ],
        )


def _build_from_folder(
    client: docker.DockerClient, name: str, digest: str, folder: Path, args: dict[str, str]
) -> None:
    try:
        client.images.build(
            path=str(folder),
            tag=name,
            buildargs=args,
            labels={LABEL: digest},
            network_mode="host",  # the private engine has no bridge; builds reach the mirrors
            rm=True,
            forcerm=True,
        )
    except BuildError as exc:
        log = "".join(str(line.get("stream", line.get("error", ""))) for line in exc.build_log)
        raise RuntimeError(f"building the stand-in {name} failed:\n{log[-3000:]}") from exc


def ensure(client: docker.DockerClient, name: str) -> Provenance:
    """Make ``name`` available: pull it, else reuse or build its stand-in."""
    started = time.monotonic()
    source = "real (pulled)" if _pull(client, name) else _standin(client, name)
    return Provenance(name, source, time.monotonic() - started)


def _standin(client: docker.DockerClient, name: str) -> str:
    base = python_image()
    if name == base:
        digest = _digest((STANDINS / "python.sh").read_bytes())
    else:
        folder, args = _standin_recipe(name)
        if _local(client, base) is None:
            ensure(client, base)
        digest = _recipe_digest(folder, client.images.get(base).id, *sorted(args.values()))
    existing = _local(client, name)
    if existing is not None and LABEL not in (existing.labels or {}):
        return "real (local copy)"
    if existing is not None and existing.labels.get(LABEL) == digest:
        return "stand-in (cached)"
    if name == base:
        _build_python_base(client, name, digest)
    else:
        _build_from_folder(client, name, digest, folder, args)
    return "stand-in (built)"


def _standin_recipe(name: str) -> tuple[Path, dict[str, str]]:
    if name == compose_image("db"):
        return STANDINS / "mysql", {"BASE_IMAGE": python_image()}
    if name == compose_image("cache"):
        return STANDINS / "redis", {"BASE_IMAGE": python_image()}
    if name == compose_image("aws"):
        return STANDINS / "moto", {
            "BASE_IMAGE": python_image(),
            "MOTO_VERSION": locked_version("moto"),
        }
    raise LookupError(f"no stand-in recipe for {name}")


def ensure_all(client: docker.DockerClient, names: list[str]) -> list[Provenance]:
    return [ensure(client, name) for name in names]
