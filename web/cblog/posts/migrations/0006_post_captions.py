"""A WebVTT captions track (and its language) for a post's video.

Adding NOT NULL columns rebuilds posts_post on SQLite, which drops the full-text triggers of
0004 with the old table: they are created again afterwards, in both directions, as in 0005.
"""

import importlib

from django.db import migrations, models

import cblog.posts.models

captions_0005 = importlib.import_module("cblog.posts.migrations.0005_cover_alt_caption")


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0005_cover_alt_caption"),
    ]

    operations = [
        # Reversed last: after the columns are removed again.
        migrations.RunPython(migrations.RunPython.noop, captions_0005.restore_search_triggers),
        migrations.AddField(
            model_name="post",
            name="captions",
            field=models.FileField(blank=True, upload_to=cblog.posts.models.video_upload_to),
        ),
        migrations.AddField(
            model_name="post",
            name="captions_language",
            field=models.CharField(blank=True, default="en", max_length=15),
        ),
        migrations.RunPython(captions_0005.restore_search_triggers, migrations.RunPython.noop),
    ]
