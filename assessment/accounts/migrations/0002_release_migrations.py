"""The release before core/ (ae94d08) recorded these accounts migrations, squashed since into 0001_initial:
forgotten, so an upgraded database records what a new one does (core/upgrade.py)."""

from django.db import migrations

from core.upgrade import forget_release_migrations

RELEASE_MIGRATIONS = [
    "0002_drop_must_change_flag",
]


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [forget_release_migrations("accounts", RELEASE_MIGRATIONS)]
