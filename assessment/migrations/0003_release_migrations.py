"""The release before core/ (ae94d08) recorded these assessment migrations, squashed since into 0001_initial:
forgotten, so an upgraded database records what a new one does (core/upgrade.py)."""

from django.db import migrations

from core.upgrade import forget_release_migrations

RELEASE_MIGRATIONS = [
    "0002_role_groups",
    "0003_mark_history",
    "0004_imports_and_requests",
    "0004_scoring_rules_and_records",
    "0005_discretionary_columns_outside_full",
    "0006_merge_imports_and_scoring",
    "0007_year_reopen",
    "0008_due_rules",
    "0008_office",
    "0009_merge_0008_due_rules_0008_office",
]


class Migration(migrations.Migration):
    dependencies = [("assessment", "0002_yearend_remark")]

    operations = [forget_release_migrations("assessment", RELEASE_MIGRATIONS)]
