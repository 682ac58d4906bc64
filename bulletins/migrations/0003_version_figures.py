"""Each published version's table figures, stored with it (issue 25): the overview's trend and its links to the
latest issue's rows read these instead of every version's snapshot. Versions published before are counted here
from their snapshot by the function publishing uses (bulletins.figures.version_figures), so none is left without.
"""

from django.db import migrations, models

from bulletins.figures import version_figures


def count_published(apps, schema_editor):
    """One version at a time: a country's snapshot is megabytes, and a year has a dozen versions or more."""
    IssueVersion = apps.get_model("bulletins", "IssueVersion")
    for pk in IssueVersion.objects.order_by("pk").values_list("pk", flat=True):
        version = IssueVersion.objects.only("snapshot").get(pk=pk)
        figures, table_units = version_figures(version.snapshot or {})
        IssueVersion.objects.filter(pk=pk).update(figures=figures, table_units=table_units)


class Migration(migrations.Migration):
    dependencies = [
        ("bulletins", "0002_release_migrations"),
    ]

    operations = [
        migrations.AddField(
            model_name="issueversion",
            name="figures",
            field=models.JSONField(blank=True, default=dict, verbose_name="各表完成情况"),
        ),
        migrations.AddField(
            model_name="issueversion",
            name="table_units",
            field=models.JSONField(blank=True, default=dict, verbose_name="各表单位"),
        ),
        migrations.RunPython(count_published, migrations.RunPython.noop),
    ]
