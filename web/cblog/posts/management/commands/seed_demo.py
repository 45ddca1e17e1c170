from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from cblog.posts import demo


class Command(BaseCommand):
    help = (
        "Seed demo authors, categories and posts. Safe to run again: it adds only what is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--posts", type=int, default=0, help="Bulk posts to have in total.")
        parser.add_argument("--comments", type=int, default=5, help="Comments per bulk post.")
        parser.add_argument("--likes", type=int, default=3, help="Likes per bulk post (max 5).")
        parser.add_argument("--password", default="demo-password", help="Password of demo users.")

    def handle(self, *args: Any, **options: Any) -> None:
        authors, readers = demo.ensure_users(options["password"])
        created = demo.ensure_showcase(authors, readers)
        self.stdout.write(f"Showcase posts: {created} created, {len(demo.SHOWCASE)} in all.")
        if options["posts"]:
            with tqdm(
                total=options["posts"],
                desc="Bulk posts",
                unit="post",
                disable=options["verbosity"] < 1,
            ) as bar:
                bar.update(
                    min(
                        options["posts"],
                        demo.Post.objects.filter(slug__startswith="bulk-post-").count(),
                    )
                )
                for count in demo.bulk_posts(
                    options["posts"],
                    authors,
                    readers,
                    comments=options["comments"],
                    likes=options["likes"],
                ):
                    bar.update(count)
        names = ", ".join(a.username for a in authors)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo users: {names} (and reader1-5), password: {options['password']}"
            )
        )
