"""The security administrator's group (安全管理员, 三员分立): accounts and login lockouts are its duty."""

from django.db import migrations

GROUP = "安全管理员"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=GROUP)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_jobrun")]
    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
