"""The portal's roles are Django groups; the names are frozen here as they were when the roles were made."""

from django.db import migrations

GROUPS = ["市信用办", "责任单位填报员", "领导", "审计员"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
