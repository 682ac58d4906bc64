"""The database cache's table, whatever the cache backend at migrate time.

0002 ran `createcachetable` for the configured caches only: a database migrated with REDIS_URL set had
no `kc_cache`, and the same database run without REDIS_URL (settings.CACHES falls back to the table)
answered 500 on every cached page. Naming the table makes it regardless (nothing when it exists).
"""

from django.core.management import call_command
from django.db import migrations

TABLE = "kc_cache"  # settings.CACHES' DatabaseCache LOCATION


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("security", "0002_cache_table")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
