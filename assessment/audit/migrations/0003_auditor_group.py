from django.db import migrations

# The auditor role's name, frozen here as it was when the role was introduced.
AUDITOR = "审计员"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=AUDITOR)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
