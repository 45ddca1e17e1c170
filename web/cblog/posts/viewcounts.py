"""View counting off the request path: first views buffered in memory, written in bulk.

A request that is a visitor's first view of a post today costs a cache ``add`` (see
``services.view_record``) and a set insertion. Each process writes its buffer every
``VIEW_FLUSH_SECONDS`` from a background thread: per post, one multi-row
``INSERT ... IGNORE`` of (post, visitor, day) rows and one ``UPDATE`` of the counter by the
number of rows the database actually inserted, all in one transaction. The unique constraint
on (post, visitor, day) is what makes the count exact: a visitor seen by two processes, or a
batch retried after an error, is inserted once and counted once.

Bound on loss: a graceful stop (SIGTERM, ``docker stop``) writes the buffer on the way out
(``atexit``); a worker killed outright loses the first views of its last
``VIEW_FLUSH_SECONDS`` (1 s by default), never more than ``MAX_PENDING`` views. A failed write
is logged and kept for the next flush (up to ``MAX_PENDING``).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from itertools import batched

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import F
from django.db.models.constants import OnConflict

from cblog.posts.models import Post, PostView

logger = logging.getLogger(__name__)
View = tuple[int, str, date]  # post id, visitor hash, day
MAX_PENDING = 100_000  # views held in memory at most (about 20 MB)
_ROWS_PER_INSERT = 500


def write(views: Iterable[View]) -> int:
    """Insert the views the database does not hold yet and add them to their posts'
    counters, in one transaction; returns how many counted. Raises DatabaseError."""
    by_post: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for post_id, visitor, day in set(views):
        by_post[post_id].append((visitor, day))
    ops = connection.ops
    table = ops.quote_name(PostView._meta.db_table)
    head = f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {table} (post_id, visitor, day)"
    tail = ops.on_conflict_suffix_sql([], OnConflict.IGNORE, [], [])
    counted = 0
    # savepoint=False: no savepoint queries when a caller (a test) already holds a transaction.
    # Sorted: concurrent writers lock rows in the same order, so they cannot deadlock.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for post_id, rows in sorted(by_post.items()):
            new = 0
            for chunk in batched(sorted(rows), _ROWS_PER_INSERT, strict=False):
                values = ", ".join(["(%s, %s, %s)"] * len(chunk))
                params = [value for visitor, day in chunk for value in (post_id, visitor, day)]
                cursor.execute(f"{head} VALUES {values} {tail}", params)
                new += cursor.rowcount
            if new > 0:
                Post.objects.filter(pk=post_id).update(view_count=F("view_count") + new)
                counted += new
    return counted


class ViewBuffer:
    """One process's pending views and the thread that writes them."""

    def __init__(self, *, background: bool = True) -> None:
        """``background``: write every VIEW_FLUSH_SECONDS from a thread; without, only when
        ``flush`` is called."""
        self._background = background
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._pending: set[View] = set()
        self._pid: int | None = None  # the process whose thread runs (a fork starts its own)

    def add(self, post_id: int, visitor: str, day: date) -> None:
        with self._lock:
            if len(self._pending) >= MAX_PENDING:
                logger.warning("view buffer full: a view of post %s is not counted", post_id)
                return
            self._pending.add((post_id, visitor, day))
            if self._background and self._pid != os.getpid():
                self._start()

    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> int:
        """Write what is pending; returns how many views counted. Never raises: on a database
        error the views stay pending for the next flush."""
        with self._flushing:
            with self._lock:
                views, self._pending = self._pending, set()
            if not views:
                return 0
            try:
                return write(views)
            except DatabaseError:
                logger.warning("could not write %s views: kept", len(views), exc_info=True)
                with self._lock:
                    room = MAX_PENDING - len(self._pending)
                    self._pending.update(list(views)[:room])
                return 0

    def _start(self) -> None:
        self._pid = os.getpid()
        threading.Thread(target=self._run, name="view-counter", daemon=True).start()
        atexit.register(self._flush_on_exit)

    def _run(self) -> None:
        while True:
            time.sleep(settings.VIEW_FLUSH_SECONDS or 1.0)
            close_old_connections()  # this thread's connection obeys CONN_MAX_AGE too
            self.flush()

    def _flush_on_exit(self) -> None:
        if self._pid == os.getpid():
            self.flush()


buffer = ViewBuffer()
