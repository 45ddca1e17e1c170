"""The web image's contract (shared/DESIGN.md, README "Containers"), on a real Docker engine.

Built from web/Dockerfile and run as the instances and docker compose run it: migrations on
MariaDB (the compose file's database image) and SQLite, gunicorn behind a published port, the
image's own HEALTHCHECK, `docker stop`, a read-only root filesystem and a database outage.
Requests carry `X-Forwarded-Proto: https`, as the ALB forwards them, so production settings
(HTTPS redirect on) apply unchanged.
"""

from __future__ import annotations

import http.client
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import docker
import pytest
from docker.models.containers import Container

from tests.containers.support import (
    DB_ROOT_PASSWORD,
    Started,
    get,
    mysql,
    published_port,
    start_database,
    wait_until,
)

# Measured on the stand-in base (Debian trixie's Python, 177 MB): 278 MB. The official
# python:3.13-slim base is ~50 MB smaller. Room for a few more dependencies, not for a toolchain.
SIZE_BUDGET_MB = 300
UID = "10001"
ALB = {"X-Forwarded-Proto": "https", "Host": "localhost"}
LOCK = "cblog-migrate"  # migrate_locked's GET_LOCK name
HOLD_SECONDS = 6


def web_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment contract, as the instances' user data writes it (no AWS here)."""
    return {
        "DJANGO_SECRET_KEY": "container-test-only",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://localhost",
        "DATABASE_URL": database_url,
        "DB_CONN_MAX_AGE": "60",
        **extra,
    }


def fresh_database(db: Container) -> str:
    """A new, empty database on ``db``; its URL for the web image."""
    name = f"cblog_{uuid.uuid4().hex[:8]}"
    code, output = mysql(db, f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    assert code == 0, output
    return f"mysql://root:{DB_ROOT_PASSWORD}@{db.name}:3306/{name}"


def serve(started: Started, image: Any, network: str, env: dict[str, str], **opts: Any) -> str:
    """Start the image's default command; return its base URL once /healthz answers."""
    web = started.run(image, environment=env, network=network, ports={"8000/tcp": None}, **opts)
    wait_until(lambda: web.reload() or web.ports.get("8000/tcp"), 30, "the port is published")
    base = f"http://127.0.0.1:{published_port(web)}"
    wait_until(lambda: get(f"{base}/healthz", timeout=2)[0] == 200, 60, "/healthz answers")
    return base


@pytest.fixture(scope="module")
def stack(docker_client: docker.DockerClient, web_image: Any) -> Iterator[dict[str, Any]]:
    """One database, migrated, and one web container serving it, shared by this module."""
    started = Started(docker_client)
    try:
        network = started.network()
        db = start_database(started, network)
        env = web_env(fresh_database(db))
        status, output = started.once(web_image, "migrate", environment=env, network=network)
        assert status == 0, output
        base = serve(started, web_image, network, env)
        web = started.items[-1]
        yield {"network": network, "db": db, "env": env, "base": base, "web": web}
    finally:
        for container in reversed(started.items):
            container.remove(force=True, v=True)
        for network in started.networks:
            network.remove()


def test_the_image_runs_as_uid_10001_and_carries_no_pip(web_image, containers):
    assert web_image.attrs["Config"]["User"] == f"{UID}:{UID}"
    status, output = containers.once(web_image, ["-u"], entrypoint=["id"])
    assert (status, output.strip()) == (0, UID)
    status, output = containers.once(
        web_image, ["-m", "pip", "--version"], entrypoint=["/opt/venv/bin/python"]
    )
    assert status != 0
    assert "No module named pip" in output


def test_the_image_stays_within_its_size_budget(web_image, say):
    size_mb = web_image.attrs["Size"] / 1e6
    say(f"image size: {size_mb:.0f} MB (budget {SIZE_BUDGET_MB} MB)")
    assert size_mb <= SIZE_BUDGET_MB


def test_migrate_on_mariadb_applies_everything_once_then_is_a_no_op(web_image, containers, stack):
    env = web_env(fresh_database(stack["db"]))
    first = containers.once(web_image, "migrate", environment=env, network=stack["network"])
    assert first[0] == 0, first[1]
    assert "Applying posts.0001_initial... OK" in first[1]
    second = containers.once(web_image, "migrate", environment=env, network=stack["network"])
    assert second[0] == 0, second[1]
    assert "No migrations to apply." in second[1]


def test_two_concurrent_migrate_containers_serialise_on_the_lock(web_image, containers, stack):
    """Another session holds the migration lock while two containers start: neither migrates
    until it is released, then exactly one does and the other finds nothing left to do."""
    db, env = stack["db"], web_env(fresh_database(stack["db"]))
    db_name = env["DATABASE_URL"].rsplit("/", 1)[1]
    hold = f"SELECT GET_LOCK('{LOCK}', 5), SLEEP({HOLD_SECONDS}), RELEASE_LOCK('{LOCK}')"
    db.exec_run(
        ["mysql", "-uroot", f"-p{DB_ROOT_PASSWORD}", "-h127.0.0.1", "-e", hold], detach=True
    )
    wait_until(lambda: mysql(db, f"SELECT IS_USED_LOCK('{LOCK}')")[1].strip() != "NULL", 10, "held")
    pair = [
        containers.run(web_image, "migrate", environment=env, network=stack["network"])
        for _ in range(2)
    ]
    time.sleep(HOLD_SECONDS / 2)
    tables = mysql(db, f"SHOW TABLES FROM {db_name}")[1]
    assert "django_migrations" not in tables, "nothing migrates while the lock is held"
    assert all(c.reload() or c.status == "running" for c in pair), "both wait for the lock"

    results = [(c.wait(timeout=180)["StatusCode"], c.logs().decode()) for c in pair]
    assert [status for status, _ in results] == [0, 0], results
    applied = [output for _, output in results if "Applying posts.0001_initial... OK" in output]
    waited = [output for _, output in results if "No migrations to apply." in output]
    assert len(applied) == 1, "exactly one container migrates"
    assert len(waited) == 1, "the other finds nothing left to do"
    _, counts = mysql(
        db,
        f"SELECT COUNT(*), COUNT(DISTINCT app, name) FROM {db_name}.django_migrations",  # noqa: S608
    )
    total, distinct = counts.split()
    assert total == distinct, "no migration was recorded twice"


def test_migrate_on_sqlite_then_a_second_run_is_a_no_op(web_image, containers, docker_client):
    volume = docker_client.volumes.create(f"cblog-test-{uuid.uuid4().hex[:8]}")
    try:
        # The media folder is the image's writable volume; the database file lives there too.
        options = {
            "environment": web_env("sqlite:////app/media/db.sqlite3"),
            "volumes": {volume.name: {"bind": "/app/media", "mode": "rw"}},
            "network_mode": "none",
        }
        first = containers.once(web_image, "migrate", **options)
        assert first[0] == 0, first[1]
        assert "Applying posts.0001_initial... OK" in first[1]
        second = containers.once(web_image, "migrate", **options)
        assert second[0] == 0, second[1]
        assert "No migrations to apply." in second[1]
    finally:
        for container in containers.items:
            container.remove(force=True)
        containers.items.clear()
        volume.remove(force=True)


def test_serves_health_home_and_hashed_static_files_and_refuses_a_wrong_host(stack):
    base = stack["base"]
    status, headers, _ = get(f"{base}/healthz", {"Host": "10.0.11.23"})  # the ALB's probe
    assert status == 200
    status, headers, body = get(f"{base}/", ALB)
    assert status == 200, body[:500]
    assert b"<html" in body
    stylesheet = re.search(rb'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, "the home page links a hashed stylesheet"
    status, headers, _ = get(base + stylesheet.group(1).decode(), ALB)
    assert status == 200
    assert "max-age=31536000" in headers["Cache-Control"]
    assert "immutable" in headers["Cache-Control"]
    status, _, _ = get(f"{base}/", {"X-Forwarded-Proto": "https", "Host": "evil.example.com"})
    assert status == 400


def test_gunicorn_keeps_connections_alive(stack):
    port = int(stack["base"].rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for _ in range(3):  # three requests on one connection
            connection.request("GET", "/", headers=ALB)
            response = connection.getresponse()
            response.read()
            assert response.status == 200
            assert response.getheader("Connection", "").lower() != "close"
    finally:
        connection.close()


def test_docker_reports_the_healthcheck_healthy(stack):
    web = stack["web"]

    def health() -> str:
        web.reload()
        return web.attrs["State"]["Health"]["Status"]

    wait_until(lambda: health() == "healthy", 90, "Docker reports the container healthy")


def test_docker_stop_ends_gunicorn_gracefully_within_10_seconds(web_image, containers, stack, say):
    base = serve(containers, web_image, stack["network"], stack["env"])
    assert get(f"{base}/", ALB)[0] == 200
    web = containers.items[-1]
    started = time.monotonic()
    web.stop(timeout=10)
    seconds = time.monotonic() - started
    web.reload()
    say(f"docker stop took {seconds:.1f} s")
    assert web.attrs["State"]["ExitCode"] == 0, "gunicorn exited cleanly (not SIGKILL: 137)"
    assert seconds < 10
    assert "Shutting down: Master" in web.logs().decode()


def test_works_with_a_read_only_root_filesystem_media_on_the_volume(web_image, containers, stack):
    """Read-only root, /tmp on tmpfs: serves, and seed_demo writes its pictures to the media
    volume (no MEDIA_BUCKET: the defect where the non-root user could not write media)."""
    options = {"read_only": True, "tmpfs": {"/tmp": ""}, "network": stack["network"]}
    env = web_env(fresh_database(stack["db"]))
    status, output = containers.once(web_image, "migrate", environment=env, **options)
    assert status == 0, output
    base = serve(containers, web_image, stack["network"], env, read_only=True, tmpfs={"/tmp": ""})
    web = containers.items[-1]
    seed = web.exec_run(["/app/docker-entrypoint.sh", "seed_demo"], user=UID)
    assert seed.exit_code == 0, seed.output.decode()
    files = web.exec_run(["find", "/app/media", "-type", "f"]).output.decode().split()
    assert files, "seed_demo wrote its pictures to the media volume"
    status, _, body = get(f"{base}/", ALB)
    assert status == 200
    assert b"/media/" in body, "the seeded posts show their pictures"


def test_an_unwritable_media_folder_refuses_to_start_with_a_clear_message(web_image, containers):
    # A root-owned tmpfs over the media volume: what a wrongly owned bind mount looks like.
    status, output = containers.once(
        web_image,
        environment=web_env("sqlite:////tmp/db.sqlite3"),
        tmpfs={"/app/media": "mode=0755"},
        network_mode="none",
        timeout=60,
    )
    assert status == 64
    assert "media folder /app/media is not writable" in output
    assert "MEDIA_BUCKET" in output


def test_database_outage_answers_503_and_recovers_without_a_restart(web_image, containers):
    network = containers.network()
    db = start_database(containers, network)
    # Page cache off: a cached anonymous page would (rightly) still be served during the outage.
    env = web_env(fresh_database(db), PAGE_CACHE_SECONDS="0")
    assert containers.once(web_image, "migrate", environment=env, network=network)[0] == 0
    base = serve(containers, web_image, network, env)
    web = containers.items[-1]
    assert get(f"{base}/", ALB)[0] == 200
    assert get(f"{base}/readyz")[0] == 200

    db.stop(timeout=30)
    status, headers, body = get(f"{base}/", ALB, timeout=30)
    assert status == 503, body[:300]
    assert headers["Retry-After"]
    assert get(f"{base}/readyz", timeout=30)[0] == 503
    assert get(f"{base}/healthz")[0] == 200, "liveness does not depend on the database"

    db.start()
    wait_until(lambda: get(f"{base}/readyz", timeout=10)[0] == 200, 120, "/readyz recovers")
    assert get(f"{base}/", ALB)[0] == 200
    web.reload()
    assert web.attrs["RestartCount"] == 0
    assert web.status == "running"


def test_the_pipeline_image_runs_the_local_pipeline_as_non_root(pipeline_image, containers):
    assert pipeline_image.attrs["Config"]["User"] == f"{UID}:{UID}"
    status, output = containers.once(pipeline_image, ["local.relay", "--help"])
    assert status == 0, output
    assert "usage" in output.lower()
