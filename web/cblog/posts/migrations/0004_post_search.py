"""The database's own full-text index over posts (see cblog.posts.search).

MySQL/MariaDB: InnoDB FULLTEXT indexes on (title, body) and (title), built without the
stopword list so that every word a reader types can be found. SQLite: an FTS5 table over the
same columns with posts_post as its external content, kept in sync by triggers. Any other
database gets nothing (the search falls back to substring matching).
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE posts_post_search USING fts5(
        title, body, content='posts_post', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER posts_post_search_insert AFTER INSERT ON posts_post BEGIN
        INSERT INTO posts_post_search (rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER posts_post_search_delete AFTER DELETE ON posts_post BEGIN
        INSERT INTO posts_post_search (posts_post_search, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END""",
    """CREATE TRIGGER posts_post_search_update AFTER UPDATE OF title, body ON posts_post BEGIN
        INSERT INTO posts_post_search (posts_post_search, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO posts_post_search (rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    "INSERT INTO posts_post_search (posts_post_search) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS posts_post_search_insert",
    "DROP TRIGGER IF EXISTS posts_post_search_delete",
    "DROP TRIGGER IF EXISTS posts_post_search_update",
    "DROP TABLE IF EXISTS posts_post_search",
]
MYSQL_FORWARD = [
    # Read when an index is built: without it "the", "about", "with"... could never be found,
    # and a required stopword would make InnoDB return nothing at all.
    "SET SESSION innodb_ft_enable_stopword = OFF",
    "ALTER TABLE posts_post ADD FULLTEXT INDEX post_search (title, body)",
    "ALTER TABLE posts_post ADD FULLTEXT INDEX post_search_title (title)",
]
MYSQL_BACKWARD = [
    "ALTER TABLE posts_post DROP INDEX post_search_title",
    "ALTER TABLE posts_post DROP INDEX post_search",
]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("posts", "0003_renditions"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "mysql": MYSQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "mysql": MYSQL_BACKWARD}),
            atomic=False,  # MySQL cannot roll DDL back; SQLite needs no transaction for it
            elidable=False,
        ),
    ]
