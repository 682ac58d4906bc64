"""Upgrading a database of the release before core/ (commit ae94d08, 2026-12-05): what its migrations need.

That release's migrations were squashed afterwards without `replaces`: each app's `0001_initial` kept its name
and builds the same tables, so a database of the release already counts as past every squashed `0001_initial`
(`replaces` would, on the contrary, make every database migrated since the squash look unmigrated). Two things
remain, each done by a migration that changes nothing on a database made since:

- the office row moved from `assessment_office` to `core_office` (core's migration 0007 carries it over);
- the release's other migrations, squashed away, are still recorded in `django_migrations`. They are forgotten,
  app by app, by `forget_release_migrations` (what `migrate --prune APP` does), so that the upgraded database
  records exactly what a new one does: a backup of it then restores into a new database (kunshan_credit/restore.py
  compares the recorded migrations).
"""

from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder


def forget_release_migrations(app_label, names):
    """An operation deleting `app_label`'s rows `names` (the release's squashed-away migrations) from
    `django_migrations`, where they are; nothing on a database made after the release. Not reversed: the
    squashed migrations stand for them."""

    def forget(apps, schema_editor):
        recorder = MigrationRecorder(schema_editor.connection)
        if recorder.has_table():
            recorder.migration_qs.filter(app=app_label, name__in=names).delete()

    return migrations.RunPython(forget, migrations.RunPython.noop, elidable=False)
