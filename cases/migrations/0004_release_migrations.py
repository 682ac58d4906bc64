"""The release before core/ (ae94d08) recorded these cases migrations, squashed since into 0001_initial:
forgotten, so an upgraded database records what a new one does (core/upgrade.py)."""

from django.db import migrations

from core.upgrade import forget_release_migrations

RELEASE_MIGRATIONS = [
    "0002_case_workflow",
    "0003_printed_cases_accepted",
]


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_list_indexes")]

    operations = [forget_release_migrations("cases", RELEASE_MIGRATIONS)]
