"""Buffered view counting: exact under concurrent first visits, on SQLite and MariaDB.

Real threads and real database connections (transactional_db): each thread is a reader's
request through the test client; the buffer is written as the background thread would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connections
from django.test import Client

from cblog.posts import services, viewcounts
from cblog.posts.models import Post, PostView
from cblog.posts.views import VISITOR_COOKIE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def buffer(settings, monkeypatch) -> viewcounts.ViewBuffer:
    """The process's view buffer, flushed only when the test says so."""
    settings.VIEW_FLUSH_SECONDS = 1
    fresh = viewcounts.ViewBuffer(background=False)
    monkeypatch.setattr(viewcounts, "buffer", fresh)
    return fresh


def in_threads(work: list[Callable[[], object]]) -> None:
    """Run each callable in its own thread, all released at once; re-raise any failure."""
    start, errors = threading.Barrier(len(work)), []

    def run(job: Callable[[], object]) -> None:
        try:
            start.wait()
            job()
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def flush_all(buffer: viewcounts.ViewBuffer) -> None:
    for _ in range(20):  # a failed write (a locked table, a deadlock) is kept and retried
        buffer.flush()
        if not buffer.pending():
            return
    raise AssertionError(f"{buffer.pending()} views never written")


@pytest.mark.parametrize("page_cache", [0, 30])
def test_concurrent_first_visits_count_exactly_once_each(make_post, buffer, settings, page_cache):
    settings.PAGE_CACHE_SECONDS = page_cache  # a rendered page, or one from the page cache
    post = make_post()
    url = post.get_absolute_url()
    Client().get(url)  # one new visitor (no cookie) first: fills the page cache when on
    visitors = [f"{n:032x}" for n in range(12)]

    def visit(visitor: str) -> Callable[[], None]:
        def job() -> None:
            client = Client()
            client.cookies[VISITOR_COOKIE] = visitor
            assert client.get(url).status_code == 200

        return job

    in_threads([visit(v) for v in visitors * 2])  # every visitor twice, all at once
    assert Post.objects.get(pk=post.pk).view_count == 0  # nothing written on the request path
    flush_all(buffer)
    assert Post.objects.get(pk=post.pk).view_count == 13
    assert PostView.objects.filter(post=post).count() == 13


def test_workers_writing_the_same_views_at_once_count_each_once(make_post):
    """Two processes' buffers holding overlapping views (one visitor seen by both)."""
    posts = [make_post(), make_post()]
    day = services.timezone.localdate()
    views = [(p.pk, services.visitor_key(f"anon:{n}"), day) for p in posts for n in range(40)]
    workers = [viewcounts.ViewBuffer(background=False) for _ in range(3)]
    for n, worker in enumerate(workers):
        for view in views[n * 10 :] + views[: n * 10]:  # same views, different order
            worker.add(*view)
    in_threads([worker.flush for worker in workers])
    for worker in workers:
        flush_all(worker)
    for post in posts:
        post.refresh_from_db()
        assert post.view_count == 40


def test_a_failed_write_keeps_the_views_for_the_next_flush(make_post, monkeypatch):
    post = make_post()
    worker = viewcounts.ViewBuffer(background=False)
    worker.add(post.pk, services.visitor_key("anon:x"), services.timezone.localdate())
    real_write = viewcounts.write

    def broken(views: object) -> int:
        raise viewcounts.DatabaseError("the database went away")

    monkeypatch.setattr(viewcounts, "write", broken)  # a real outage cannot be staged here
    assert worker.flush() == 0
    assert worker.pending() == 1
    monkeypatch.setattr(viewcounts, "write", real_write)
    assert worker.flush() == 1
    post.refresh_from_db()
    assert post.view_count == 1
