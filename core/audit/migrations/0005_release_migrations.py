"""The release before core/ (ae94d08) recorded these audit migrations, squashed since into 0001_initial:
forgotten, so an upgraded database records what a new one does (core/upgrade.py)."""

from django.db import migrations

from core.upgrade import forget_release_migrations

RELEASE_MIGRATIONS = [
    "0003_auditor_group",
    "0004_directory_actions",
    "0005_scheme_page_actions",
]


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_list_indexes")]

    operations = [forget_release_migrations("audit", RELEASE_MIGRATIONS)]
