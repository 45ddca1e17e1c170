"""gunicorn's settings for the web image (`docker-entrypoint.sh serve`) and `make bench`,
which serves the same way. Extra `serve` arguments override these.

Threaded workers (gthread): a slow client or upload holds one thread, not a whole process, and
connections are kept alive (sync workers close every connection, so a keep-alive setting would
do nothing). The defaults were sized with `make bench` on a 2-core machine (README,
"Performance"); WEB_CONCURRENCY, GUNICORN_THREADS and GUNICORN_TIMEOUT tune them.
"""

from __future__ import annotations

import os

bind = ["0.0.0.0:8000"]
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Longer than the ALB's 60 s idle timeout, or the ALB reuses connections gunicorn has already
# closed (sporadic 502s).
keepalive = 75
# `docker stop` waits 10 s before SIGKILL: requests in flight get 8 of them.
graceful_timeout = 8
# Heartbeat files on tmpfs: works on a read-only root filesystem, and never blocks on disk.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - tmpfs in every container, not a shared /tmp path
# The ALB's addresses change and Docker's port mapping hides them; only the ALB can reach the
# instances (security group), so its X-Forwarded-* headers are trusted.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
accesslog = "-"
errorlog = "-"
# gunicorn 27 would otherwise create a control socket under $HOME; the image's user has none.
control_socket_disable = True
# Request heads: gunicorn's defaults, stated here. Bodies have no cap in gunicorn: Django refuses
# one over REQUEST_BODY_MAX_BYTES unread (cblog.core.middleware), and gunicorn then drains at
# most 64 KiB of it before closing the connection, so a large body is never read whole.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
