"""Databases, manage.py commands and the gunicorn server the bench loads.

Every process started here is stopped by its pid, also when the bench fails or is interrupted.
"""

from __future__ import annotations

import os
import re
import runpy
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `local` is a package at the repository root
from local.processes import free_port, listening  # noqa: E402

WEB, SCRIPTS = ROOT / "web", ROOT / "scripts"
HOST = "127.0.0.1"
# Variables that would point the app at something other than the bench's own database/storage.
_PROBLEM = re.compile(r"\b(WARNING|ERROR|CRITICAL)\b")
_STRIPPED = ("DB_HOST", "DB_NAME", "SSM_PARAMETER_PREFIX", "MEDIA_BUCKET", "CACHE_URL")
# Production shares one cache between instances (Valkey); a Redis on this machine stands in.
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/9"


def usable_cache(cache_url: str) -> str:
    """``cache_url`` if that Redis answers, else ``""`` (per-process caches), saying which."""
    if cache_url in ("", "process"):
        print("cache: per process (as in `make dev` without Redis)", flush=True)
        return ""
    import redis

    try:
        redis.Redis.from_url(cache_url, socket_timeout=1, socket_connect_timeout=1).ping()
    except redis.RedisError as problem:
        print(f"cache: per process ({cache_url} does not answer: {problem})", flush=True)
        return ""
    print(f"cache: shared, {cache_url} (emptied before each server starts)", flush=True)
    return cache_url


def empty_cache(env: dict[str, str]) -> None:
    """Empty the shared cache ``env`` names, if any (its database only)."""
    if env.get("CACHE_URL"):
        import redis

        redis.Redis.from_url(env["CACHE_URL"], socket_timeout=5).flushdb()


def bench_env(*, database_url: str, scratch: Path, cache_url: str = "") -> dict[str, str]:
    """Production settings (base + environment) on loopback, with a throwaway secret key and
    ``cache_url`` as the cache (``""``: per process)."""
    env = {k: v for k, v in os.environ.items() if k not in _STRIPPED}
    if cache_url:
        env["CACHE_URL"] = cache_url
    env.update(
        DJANGO_SETTINGS_MODULE="cblog.settings.base",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_MEDIA_ROOT=str(scratch / "media"),
        BENCH_STATIC_ROOT=str(scratch / "static"),
        DATABASE_URL=database_url,
    )
    return env


def manage(env: dict[str, str], log: Path, *args: str) -> None:
    """``web/manage.py <args>``; output goes to ``log``, which is printed if the command fails."""
    run(env, log, str(WEB / "manage.py"), *args)


def run(env: dict[str, str], log: Path, *argv: str) -> None:
    with log.open("a") as out:
        out.write(f"$ python {' '.join(argv)}\n")
        out.flush()
        done = subprocess.run(  # noqa: S603 - our own scripts, fixed arguments
            [sys.executable, *argv], env=env, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    if done.returncode:
        sys.stderr.write(log.read_text()[-4000:])
        raise RuntimeError(f"`{' '.join(argv)}` failed ({done.returncode}); see {log}")


@contextmanager
def mysql_database(server_url: str) -> Iterator[str]:
    """A fresh, uniquely named database on ``server_url``, dropped afterwards; yields its URL."""
    import pymysql

    parts = urlsplit(server_url)
    name = f"cblog_bench_{secrets.token_hex(4)}"
    connect = {
        "host": parts.hostname or HOST,
        "port": parts.port or 3306,
        "user": parts.username or "root",
        "password": parts.password or "",
        "connect_timeout": 5,
    }
    with pymysql.connect(**connect) as conn, conn.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        yield f"{parts.scheme}://{parts.netloc}/{name}"
    finally:
        with pymysql.connect(**connect) as conn, conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")


@dataclass(frozen=True)
class Server:
    base: str
    pid: int
    log: Path

    def log_problems(self) -> int:
        """WARNING+ records in the log so far: Django's (e.g. a swallowed view-count error)
        and gunicorn's (e.g. a worker timeout)."""
        with self.log.open(errors="replace") as lines:
            return sum(1 for line in lines if _PROBLEM.search(line))

    def worker_cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the master's children, the workers.

        Unlike requests/s, this hardly moves when other work shares the machine.
        """
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        for child in children:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return total / tick


@contextmanager
def gunicorn(env: dict[str, str], log: Path, *, sync: bool = False) -> Iterator[Server]:
    """gunicorn as the web image runs it (web/gunicorn.conf.py: threaded workers) on a free
    loopback port, until the block ends; ``sync`` serves with sync workers for comparison."""
    port = _port()
    argv = [
        sys.executable, "-m", "gunicorn",
        "--config", str(WEB / "gunicorn.conf.py"),
        "--bind", f"{HOST}:{port}",
        "--pythonpath", f"{WEB},{SCRIPTS}",
        "--access-logfile", os.devnull,  # formatted as in production, not kept
        "--error-logfile", str(log),
        "--log-level", "warning",
    ]  # fmt: skip
    if sync:
        argv += ["--worker-class", "sync", "--threads", "1"]
    argv.append("bench_wsgi:application")
    # Its own session: Ctrl-C reaches only the bench, which then stops gunicorn by pid.
    with log.open("a") as out:  # Django logs (e.g. a swallowed view-count error) land here too
        process = subprocess.Popen(  # noqa: S603 - fixed argv
            argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://{HOST}:{port}"
    try:
        _wait_ready(process, f"{base}/readyz", log)
        yield Server(base, process.pid, log)
    finally:
        stop(process)


def _port() -> int:
    """A free loopback port: from BENCH_PORTS ("18100-18199") when set, else any."""
    if not (ports := os.environ.get("BENCH_PORTS")):
        return free_port()
    low, _, high = ports.partition("-")
    for port in range(int(low), int(high or low) + 1):
        if not listening(port):
            return port
    raise RuntimeError(f"no free port in BENCH_PORTS={ports}")


def describe(cache_url: str = "") -> str:
    """The server the bench loads, as web/gunicorn.conf.py configures it, and its cache."""
    conf = runpy.run_path(str(WEB / "gunicorn.conf.py"))
    cache = f"shared cache {cache_url}" if cache_url else "per-process cache"
    return (
        f"gunicorn {conf['worker_class']}, {conf['workers']} workers x {conf['threads']} "
        f"threads, keep-alive {conf['keepalive']} s (web/gunicorn.conf.py), "
        f"cblog.settings.base, DEBUG off, {cache}"
    )


def _wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within 30 s; see {log}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the master (it stops its workers); SIGKILL its process group if it lingers."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the group gunicorn leads: master and workers
        process.wait(timeout=5)
