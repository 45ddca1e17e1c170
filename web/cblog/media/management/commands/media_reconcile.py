from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from cblog.media import reconcile
from cblog.media.index import media_table


class Command(BaseCommand):
    help = (
        "List differences between the media that posts and profiles reference, the objects in "
        "the media bucket and the media index. With --fix: index what is missing, tombstone "
        "index entries whose object is gone, and delete orphaned objects and direct uploads "
        "abandoned under incoming/ for more than a day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="Repair instead of only listing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.MEDIA_BUCKET:
            raise CommandError("media_reconcile needs MEDIA_BUCKET (media on S3).")
        bucket = default_storage.bucket
        table = media_table()
        quiet = options["verbosity"] < 1
        report = reconcile.Report()
        with tqdm(desc="Reading", unit="item", disable=quiet) as bar:
            for key in reconcile.referenced_keys():
                report.referenced.add(key)
                bar.update()
            for key, meta in reconcile.bucket_objects(bucket):
                report.in_bucket[key] = meta
                bar.update()
            for key in reconcile.indexed_keys(table):
                report.indexed.add(key)
                bar.update()
        self._print(report)
        abandoned = list(reconcile.abandoned_uploads(bucket))
        self.stdout.write(f"{len(abandoned)} abandoned uploads (under incoming/, over a day old)")
        if options["fix"]:
            self._fix(report, bucket, table, quiet)
            for batch in reconcile.chunks(abandoned):
                bucket.delete_objects(Delete={"Objects": [{"Key": k} for k in batch]})
            if abandoned:
                self.stdout.write(
                    self.style.SUCCESS(f"Deleted {len(abandoned)} abandoned upload(s).")
                )
        elif not report.is_clean():
            self.stdout.write("Run again with --fix to repair.")

    def _print(self, report: reconcile.Report) -> None:
        sections = {
            "orphaned objects (in the bucket, referenced by nothing)": report.orphans,
            "missing objects (referenced, not in the bucket)": report.missing,
            "unindexed objects (in the bucket, not in the index)": report.unindexed,
            "stale index entries (in the index, not in the bucket)": report.stale,
        }
        for title, keys in sections.items():
            self.stdout.write(f"{len(keys)} {title}")
            for key in keys:
                self.stdout.write(f"  {key}")
        if report.is_clean():
            self.stdout.write(self.style.SUCCESS("Bucket, index and references agree."))

    def _fix(self, report: reconcile.Report, bucket: Any, table: Any, quiet: bool) -> None:
        work = len(report.orphans) + len(report.unindexed) + len(report.stale)
        orphans = set(report.orphans)
        with tqdm(total=work, desc="Repairing", unit="item", disable=quiet) as bar:
            for key in report.unindexed:
                if key not in orphans:  # an orphan is deleted, not indexed
                    reconcile.index_object(table, bucket.name, key, report.in_bucket[key])
                bar.update()
            for key in report.stale:
                reconcile.tombstone(table, key)
                bar.update()
            for batch in reconcile.chunks(report.orphans):
                bucket.delete_objects(Delete={"Objects": [{"Key": k} for k in batch]})
                for key in batch:
                    if key in report.indexed:
                        reconcile.tombstone(table, key)
                bar.update(len(batch))
        self.stdout.write(self.style.SUCCESS(f"Repaired {work} item(s)."))
