"""Alt text and caption for a post's cover.

On SQLite, adding (or removing) a NOT NULL column rebuilds posts_post, and dropping the old
table drops the full-text triggers of 0004 with it: they are created again afterwards, in
both directions, and the index is rebuilt.
"""

import importlib

from django.db import migrations, models

search = importlib.import_module("cblog.posts.migrations.0004_post_search")
TRIGGERS = ("posts_post_search_insert", "posts_post_search_delete", "posts_post_search_update")


def restore_search_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)
    for sql in search.SQLITE_FORWARD:
        if not sql.startswith("CREATE VIRTUAL TABLE"):  # the FTS table itself survives
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0004_post_search"),
    ]

    operations = [
        # Reversed last: after the columns are removed again.
        migrations.RunPython(migrations.RunPython.noop, restore_search_triggers),
        migrations.AddField(
            model_name="post",
            name="cover_alt",
            field=models.CharField(blank=True, max_length=250, verbose_name="cover description"),
        ),
        migrations.AddField(
            model_name="post",
            name="cover_caption",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.RunPython(restore_search_triggers, migrations.RunPython.noop),
    ]
