"""Keep full points as they were: discretionary columns (视情扣分) stayed outside the full score.

Before `Indicator.in_full_points` existed, Scheme.full_points left every discretionary column out.
Existing schemes keep that; a column worth points in the full score (部门: 被国家监测到严重失信事件
(0.3分)) is switched on by the office, or by load_demo for the demo.
"""

from django.db import migrations


def discretionary_outside_full(apps, schema_editor):
    Indicator = apps.get_model("assessment", "Indicator")
    Indicator.objects.filter(rule_kind="discretionary").update(in_full_points=False)


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0004_scoring_rules_and_records"),
    ]

    operations = [
        migrations.RunPython(discretionary_outside_full, migrations.RunPython.noop),
    ]
