"""Measure the web process's peak memory growth while it takes a 200 MB video upload.

Starts, all on 127.0.0.1 and in a temporary folder: a moto server (the local AWS endpoint),
`local.bootstrap` (bucket, table, queue), then gunicorn with one sync worker serving
`cblog.settings.local` on a fresh SQLite database with the S3 media storage. It signs in over
HTTP and streams a multipart/form-data POST to /posts/new/ from a generator (the body is never
built in memory here), with a file that starts with a valid MP4 `ftyp` box.

Method (Linux): before the upload, write "5" to /proc/<worker>/clear_refs (resets the RSS
high-water mark) and read VmRSS; after it, read VmHWM. Growth = VmHWM - VmRSS before. A small
upload first warms the worker (imports, boto3 clients), so the figure is the upload's own cost.
The object is then checked in the bucket: the right size, and a multipart ETag ("<md5>-<parts>").
Every process is stopped by its pid, within a bounded time.

    uv run --frozen python scripts/measure_upload.py [--size-mb 200] [--limit-mb 50]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import boto3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `local` is a package at the repository root
from local.processes import free_port, listening, stop, wait_for  # noqa: E402

MB = 1024 * 1024
# An MP4 `ftyp` box (24 bytes: size, type, major brand isom, minor version, compatible brands).
FTYP = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def worker_pid(master: int) -> int:
    """gunicorn's single worker: the master's only child."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    if len(children) != 1:
        raise RuntimeError(f"expected one gunicorn worker, found {children}")
    return int(children[0])


class Browser:
    """Just enough of a browser over http.client: cookies, CSRF, a streamed multipart POST."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def _connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def _headers(self) -> dict[str, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Cookie": cookie} if cookie else {}

    def _keep_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value

    def get(self, path: str) -> tuple[int, str]:
        connection = self._connection()
        try:
            connection.request("GET", path, headers=self._headers())
            response = connection.getresponse()
            self._keep_cookies(response)
            return response.status, response.read().decode()
        finally:
            connection.close()

    def csrf_token(self, path: str) -> str:
        status, html = self.get(path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if status != 200 or not match:
            raise RuntimeError(f"no CSRF token on {path} ({status})")
        return match.group(1)

    def post(
        self, path: str, body: Iterator[bytes], length: int, content_type: str
    ) -> tuple[int, str]:
        """POST a body produced chunk by chunk, announced with its Content-Length."""
        connection = self._connection()
        try:
            connection.putrequest("POST", path)
            headers = {
                **self._headers(),
                "Content-Type": content_type,
                "Content-Length": str(length),
                "Referer": f"http://127.0.0.1:{self.port}{path}",
            }
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.endheaders()
            sent = 0
            for chunk in body:
                connection.send(chunk)
                sent += len(chunk)
            if sent != length:
                raise RuntimeError(f"sent {sent} bytes, announced {length}")
            response = connection.getresponse()
            self._keep_cookies(response)
            return response.status, response.getheader("Location") or response.read().decode()
        finally:
            connection.close()

    def login(self, username: str, password: str) -> None:
        token = self.csrf_token("/accounts/login/")
        form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
        data = form.encode()
        status, _ = self.post(
            "/accounts/login/", iter([data]), len(data), "application/x-www-form-urlencoded"
        )
        if status != 302:
            raise RuntimeError(f"login failed ({status})")


def video_bytes(size: int, chunk: int = MB) -> Iterator[bytes]:
    """``size`` bytes starting with an MP4 `ftyp` box, in chunks (the same zero-filled buffer)."""
    filler = bytes(chunk)
    first = FTYP + filler[: min(size, chunk) - len(FTYP)]
    yield first
    remaining = size - len(first)
    while remaining > 0:
        yield filler[: min(chunk, remaining)]
        remaining -= chunk


def multipart(fields: dict[str, str], file_field: str, file_name: str, size: int) -> tuple:
    """(generator, content length, content type) of a form with one streamed file."""
    boundary = secrets.token_hex(16)
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    head += (
        f"--{boundary}\r\nContent-Disposition: form-data; "
        f'name="{file_field}"; filename="{file_name}"\r\nContent-Type: video/mp4\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        yield from video_bytes(size)
        yield tail

    return body(), len(head) + size + len(tail), f"multipart/form-data; boundary={boundary}"


def upload(browser: Browser, title: str, size: int, worker: int) -> dict[str, float]:
    """Upload one video post; return the memory figures (MB) and the seconds it took."""
    token = browser.csrf_token("/posts/new/")
    fields = {"csrfmiddlewaretoken": token, "title": title, "body": "A video.", "status": "draft"}
    body, length, content_type = multipart(fields, "video", "clip.mp4", size)
    Path(f"/proc/{worker}/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = status_kb(worker, "VmRSS")
    started = time.monotonic()
    status, location = browser.post("/posts/new/", body, length, content_type)
    seconds = time.monotonic() - started
    peak, after = status_kb(worker, "VmHWM"), status_kb(worker, "VmRSS")
    if status != 302:
        raise RuntimeError(f"upload failed ({status}): {location[:2000]}")
    return {
        "rss_before": before / 1024,
        "peak": peak / 1024,
        "rss_after": after / 1024,
        "growth": (peak - before) / 1024,
        "seconds": seconds,
    }


def run(size_mb: int, limit_mb: float) -> bool:
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="cblog-measure-") as tmp:
        moto_port, web_port = free_port(), free_port()
        endpoint = f"http://127.0.0.1:{moto_port}"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DJANGO_"))},
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "MEDIA_BUCKET": "cblog-media-measure",
            "MEDIA_INDEX_TABLE": "cblog-media-index-measure",
            "MEDIA_EVENTS_QUEUE": "cblog-media-events-measure",
            "DJANGO_SETTINGS_MODULE": "cblog.settings.local",
            "DATABASE_URL": f"sqlite:///{tmp}/measure.sqlite3",
            "DJANGO_MEDIA_ROOT": f"{tmp}/media",
            "TMPDIR": tmp,  # Django's temporary upload files
            "DJANGO_SUPERUSER_PASSWORD": "measure-upload-password-1",
            "DJANGO_LOG_LEVEL": "WARNING",
        }

        def start(*args: str, log: str) -> subprocess.Popen[bytes]:
            with Path(tmp, log).open("wb") as out:  # the child keeps its own descriptor
                process = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
                    [sys.executable, *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
                )
            processes.append(process)
            return process

        def manage(*args: str) -> None:
            subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
                [sys.executable, "web/manage.py", *args],
                cwd=ROOT,
                env=env,
                check=True,
                timeout=120,
                stdout=subprocess.DEVNULL,
            )

        try:
            moto = start("-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port), log="moto")
            wait_for(lambda: listening(moto_port) or moto.poll() is not None, 30, "moto server")
            subprocess.run(
                [sys.executable, "-m", "local.bootstrap", "--wait", "30"],
                cwd=ROOT,
                env=env,
                check=True,
                timeout=120,
                capture_output=True,
            )
            manage("migrate", "--no-input")
            manage("createsuperuser", "--no-input", "--username", "measure", "--email", "m@x.io")
            master = start(
                "-m",
                "gunicorn",
                "--chdir",
                "web",
                "--workers",
                "1",
                "--worker-class",
                "sync",
                "--timeout",
                "600",
                "--bind",
                f"127.0.0.1:{web_port}",
                "cblog.wsgi:application",
                log="gunicorn",
            )
            wait_for(lambda: listening(web_port) or master.poll() is not None, 60, "gunicorn")
            if master.poll() is not None:
                raise RuntimeError(Path(tmp, "gunicorn").read_text())
            worker = worker_pid(master.pid)

            browser = Browser(web_port)
            browser.login("measure", env["DJANGO_SUPERUSER_PASSWORD"])
            warm = upload(browser, "Warm-up", 2 * MB, worker)
            print(
                f"warm-up 2 MB upload: RSS {warm['rss_before']:.1f} MB -> "
                f"peak {warm['peak']:.1f} MB (growth {warm['growth']:.1f} MB)"
            )
            result = upload(browser, "Big video", size_mb * MB, worker)

            s3 = boto3.client(
                "s3",
                region_name="us-east-1",
                endpoint_url=endpoint,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",  # noqa: S106 - the local endpoint's dummy
            )
            objects = s3.list_objects_v2(Bucket=env["MEDIA_BUCKET"], Prefix="media/videos/")
            [big] = [o for o in objects["Contents"] if o["Size"] == size_mb * MB]
            head = s3.head_object(Bucket=env["MEDIA_BUCKET"], Key=big["Key"])
            etag = head["ETag"].strip('"')
            print(f"object  {big['Key']}")
            print(f"        {head['ContentLength']} bytes, {head['ContentType']}, ETag {etag}")
            print(f"        multipart upload: {'-' in etag} ({etag.partition('-')[2]} parts)")
            print(
                f"{size_mb} MB upload in {result['seconds']:.1f} s: worker RSS "
                f"{result['rss_before']:.1f} MB before, peak {result['peak']:.1f} MB, "
                f"{result['rss_after']:.1f} MB after"
            )
            ok = result["growth"] < limit_mb and "-" in etag
            verdict = "OK" if ok else "FAIL"
            print(f"peak RSS growth {result['growth']:.1f} MB (limit {limit_mb:.0f} MB): {verdict}")
            return ok
        finally:
            for process in reversed(processes):
                stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--limit-mb", type=float, default=50.0)
    args = parser.parse_args()
    sys.exit(0 if run(args.size_mb, args.limit_mb) else 1)


if __name__ == "__main__":
    main()
