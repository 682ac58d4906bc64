"""The release before core/ (ae94d08) recorded these bulletins migrations, squashed since into 0001_initial:
forgotten, so an upgraded database records what a new one does (core/upgrade.py)."""

from django.db import migrations

from core.upgrade import forget_release_migrations

RELEASE_MIGRATIONS = [
    "0002_issue_versions",
    "0003_issue_defaults_from_office",
]


class Migration(migrations.Migration):
    dependencies = [("bulletins", "0001_initial")]

    operations = [forget_release_migrations("bulletins", RELEASE_MIGRATIONS)]
