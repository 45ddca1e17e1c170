"""Measure a large video uploaded through the browser straight to the bucket (issue 8).

Starts, all on 127.0.0.1 and in a temporary folder, a `make dev`-like setup: a moto server
(the local AWS endpoint), `local.bootstrap` (bucket with CORS for the site, table, queue) and
the blog under `runserver --noreload` (one process, `cblog.settings.local`, a fresh SQLite
database, media on the bucket). Then a headless Chromium (Debian's, through Playwright) signs
in, opens the editor and picks a video of --size-mb: the page's script gets a presigned POST
and sends the file to the bucket with its progress bar; the post is then saved, which checks
the object and copies it into media/.

Meanwhile a probe requests the home page back to back (anonymous, as a reader would) and
records each latency: first for --idle-seconds before the upload (idle), then for as long as
the upload runs. The browser's uplink is throttled to --uplink-mbit (DevTools), as a reader's
would be. The web process's memory is read from /proc: "5" to clear_refs resets the RSS
high-water mark before the upload, VmHWM at its end gives the peak (and again after the save
that checks and attaches it). A small upload first warms the process up (boto3's S3 client).
Every process is stopped by its pid, within a bounded time.

    uv run --frozen python scripts/measure_upload.py [--size-mb 250] [--web-port 18310]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `local` is a package at the repository root
from local.processes import free_port, listening, stop, wait_for  # noqa: E402

MB = 1024 * 1024
# An MP4 `ftyp` box (24 bytes: size, type, major brand isom, minor version, compatible brands).
FTYP = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
PASSWORD = "measure-upload-password-1"  # noqa: S105 - a throw-away local account


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def write_video(path: Path, size: int) -> None:
    """``size`` bytes starting with an MP4 `ftyp` box, written in 1 MiB chunks."""
    chunk = bytes(MB)
    with path.open("wb") as out:
        out.write(FTYP + chunk[: MB - len(FTYP)])
        for _ in range(size // MB - 1):
            out.write(chunk)
        out.write(chunk[: size % MB])


class HomeProbe(threading.Thread):
    """Requests / back to back on one keep-alive connection; latencies by phase, in seconds."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.phase = "warm-up"  # not recorded
        self.samples: dict[str, list[float]] = {"idle": [], "upload": []}
        self.stopping = threading.Event()

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while not self.stopping.is_set():
            started = time.perf_counter()
            connection.request("GET", "/")
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"home page answered {response.status}")
            if self.phase in self.samples:
                self.samples[self.phase].append(time.perf_counter() - started)
            time.sleep(0.05)  # a reader every 50 ms, not a load test
        connection.close()


def run(
    size_mb: int, web_port: int, aws_port: int, idle_seconds: float, uplink_mbit: float
) -> dict[str, float]:
    from playwright.sync_api import expect, sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Chromium is not installed (apt-get install chromium)")
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="cblog-measure-") as tmp:
        endpoint = f"http://127.0.0.1:{aws_port}"
        site = f"http://127.0.0.1:{web_port}"
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
            "WEB_ORIGINS": site,
            "DJANGO_SETTINGS_MODULE": "cblog.settings.local",
            "DJANGO_SECRET_KEY": "measure-only-not-secret",
            "DATABASE_URL": f"sqlite:///{tmp}/measure.sqlite3",
            "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
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
                timeout=300,
                stdout=subprocess.DEVNULL,
            )

        try:
            moto = start("-m", "moto.server", "-H", "127.0.0.1", "-p", str(aws_port), log="moto")
            wait_for(lambda: listening(aws_port) or moto.poll() is not None, 30, "moto server")
            subprocess.run(
                [sys.executable, "-m", "local.bootstrap", "--wait", "30"],
                cwd=ROOT,
                env=env,
                check=True,
                timeout=120,
                capture_output=True,
            )
            manage("migrate", "--no-input")
            manage("seed_demo")
            manage("createsuperuser", "--no-input", "--username", "measure", "--email", "m@x.io")
            web = start(
                "web/manage.py", "runserver", "--noreload", f"127.0.0.1:{web_port}", log="web"
            )
            wait_for(lambda: listening(web_port) or web.poll() is not None, 60, "runserver")
            if web.poll() is not None:
                raise RuntimeError(Path(tmp, "web").read_text())

            video = Path(tmp, "big.mp4")
            write_video(video, size_mb * MB)
            probe = HomeProbe(web_port)
            probe.start()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium, headless=True, args=["--no-sandbox"]
                )
                page = browser.new_page()
                # A reader's uplink (the "ordinary 10 Mbit/s"), through DevTools.
                cdp = page.context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send(
                    "Network.emulateNetworkConditions",
                    {
                        "offline": False,
                        "latency": 0,
                        "downloadThroughput": -1,
                        "uploadThroughput": uplink_mbit * 1_000_000 / 8,
                    },
                )
                page.goto(f"{site}/accounts/login/")
                page.get_by_label("Username").fill("measure")
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Log in").click()

                def upload(path: Path, title: str) -> float:
                    page.goto(f"{site}/posts/new/")
                    page.get_by_label("Title").fill(title)
                    page.get_by_label("Body").fill("Uploaded straight to the bucket.")
                    started = time.monotonic()
                    page.locator("#id_video").set_input_files(path)
                    bar = page.get_by_role("progressbar", name="Upload progress of Video")
                    expect(bar).to_be_visible()
                    status = page.locator("#id_video ~ .upload-status")
                    expect(status).to_contain_text(f"Uploaded {path.name}", timeout=3_600_000)
                    return time.monotonic() - started

                def save(slug: str) -> None:
                    page.get_by_role("button", name="Save").click()
                    page.wait_for_url(f"{site}/posts/{slug}/", timeout=300_000)

                # Warm-up: the first grant, check and copy load boto3's S3 client and code.
                small = Path(tmp, "small.mp4")
                write_video(small, MB)
                upload(small, "Warm-up")
                save("warm-up")
                page.goto(f"{site}/posts/new/")
                probe.phase = "idle"
                time.sleep(idle_seconds)  # the idle baseline (the probe is running)

                Path(f"/proc/{web.pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
                rss_before = status_kb(web.pid, "VmRSS")
                probe.phase = "upload"
                upload_seconds = upload(video, "A big video")
                probe.phase = "done"
                peak_upload = status_kb(web.pid, "VmHWM")
                save("a-big-video")
                peak = status_kb(web.pid, "VmHWM")
                browser.close()
            probe.stopping.set()
            probe.join(timeout=30)

            s3 = boto3.client(
                "s3",
                region_name="us-east-1",
                endpoint_url=endpoint,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",  # noqa: S106 - the local endpoint's dummy
            )
            listed = s3.list_objects_v2(Bucket=env["MEDIA_BUCKET"], Prefix="media/videos/")
            [stored] = [o for o in listed["Contents"] if o["Size"] == size_mb * MB]
            leftovers = s3.list_objects_v2(Bucket=env["MEDIA_BUCKET"], Prefix="incoming/")
            idle, during = probe.samples["idle"], probe.samples["upload"]
            return {
                "size_mb": size_mb,
                "upload_seconds": upload_seconds,
                "object": stored["Key"],
                "incoming_left": leftovers.get("KeyCount", 0),
                "idle_n": len(idle),
                "idle_median_ms": statistics.median(idle) * 1000,
                "upload_n": len(during),
                "upload_median_ms": statistics.median(during) * 1000,
                "idle_p90_ms": statistics.quantiles(idle, n=10)[-1] * 1000,
                "upload_p90_ms": statistics.quantiles(during, n=10)[-1] * 1000,
                "rss_before_mb": rss_before / 1024,
                "rss_peak_mb": peak_upload / 1024,
                "rss_growth_mb": (peak_upload - rss_before) / 1024,
                "rss_growth_with_save_mb": (peak - rss_before) / 1024,
            }
        finally:
            for process in reversed(processes):
                stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=250)
    parser.add_argument("--web-port", type=int, default=0, help="default: a free port")
    parser.add_argument("--aws-port", type=int, default=0, help="default: a free port")
    parser.add_argument("--idle-seconds", type=float, default=15.0)
    parser.add_argument("--uplink-mbit", type=float, default=10.0, help="browser upload speed")
    parser.add_argument("--latency-limit", type=float, default=10.0, help="percent over idle")
    parser.add_argument("--rss-limit-mb", type=float, default=10.0)
    args = parser.parse_args()
    ports = args.web_port or free_port(), args.aws_port or free_port()
    result = run(args.size_mb, *ports, args.idle_seconds, args.uplink_mbit)
    slower = (result["upload_median_ms"] / result["idle_median_ms"] - 1) * 100
    print(
        f"upload: {result['size_mb']} MB in {result['upload_seconds']:.1f} s, browser -> bucket "
        f"at {args.uplink_mbit:g} Mbit/s"
    )
    print(f"        attached as {result['object']}; {result['incoming_left']} left under incoming/")
    print(
        f"home page, idle:   median {result['idle_median_ms']:.1f} ms, "
        f"p90 {result['idle_p90_ms']:.1f} ms ({result['idle_n']} requests)"
    )
    print(
        f"home page, upload: median {result['upload_median_ms']:.1f} ms, "
        f"p90 {result['upload_p90_ms']:.1f} ms ({result['upload_n']} requests): {slower:+.1f} %"
    )
    print(
        f"web process RSS: {result['rss_before_mb']:.1f} MB before, peak "
        f"{result['rss_peak_mb']:.1f} MB during the upload (growth {result['rss_growth_mb']:.1f} "
        f"MB; {result['rss_growth_with_save_mb']:.1f} MB including the save that attaches it)"
    )
    ok = slower <= args.latency_limit and result["rss_growth_mb"] <= args.rss_limit_mb
    print("OK" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
