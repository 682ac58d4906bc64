"""An offline count record says which quarters it covers (first..last) instead of one quarter or none.

A record with a quarter covers that quarter. A record without one was a total kept without a
breakdown: “…前三季度…” covers quarters one to three, any other the whole year (before, it could
fill any short quarter).
"""

import django.core.validators
from django.db import migrations, models


def spans_from_quarter(apps, schema_editor):
    CaseCountRecord = apps.get_model("cases", "CaseCountRecord")
    for record in CaseCountRecord.objects.all():
        if record.quarter is not None:
            record.first_quarter = record.last_quarter = record.quarter
        elif "前三季度" in record.note:
            record.first_quarter, record.last_quarter = 1, 3
        else:
            record.first_quarter, record.last_quarter = 1, 4
        record.save(update_fields=["first_quarter", "last_quarter"])


def quarter_from_spans(apps, schema_editor):
    CaseCountRecord = apps.get_model("cases", "CaseCountRecord")
    for record in CaseCountRecord.objects.all():
        single = record.first_quarter == record.last_quarter
        record.quarter = record.first_quarter if single else None
        record.save(update_fields=["quarter"])


QUARTER_VALIDATORS = [django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(4)]


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="casecountrecord",
            name="first_quarter",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="起始季度"),
        ),
        migrations.AddField(
            model_name="casecountrecord",
            name="last_quarter",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="截止季度"),
        ),
        migrations.RunPython(spans_from_quarter, quarter_from_spans),
        migrations.RemoveConstraint(
            model_name="casecountrecord",
            name="casecountrecord_quarter_range",
        ),
        migrations.RemoveField(
            model_name="casecountrecord",
            name="quarter",
        ),
        migrations.AlterField(
            model_name="casecountrecord",
            name="first_quarter",
            field=models.PositiveSmallIntegerField(
                help_text="记录涵盖的第一个季度", validators=QUARTER_VALIDATORS, verbose_name="起始季度"
            ),
        ),
        migrations.AlterField(
            model_name="casecountrecord",
            name="last_quarter",
            field=models.PositiveSmallIntegerField(
                help_text="记录涵盖的最后一个季度", validators=QUARTER_VALIDATORS, verbose_name="截止季度"
            ),
        ),
        migrations.AddConstraint(
            model_name="casecountrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("first_quarter__gte", 1),
                    ("first_quarter__lte", models.F("last_quarter")),
                    ("last_quarter__lte", 4),
                ),
                name="casecountrecord_quarters_range",
                violation_error_message="所涵盖的季度只能是1至4季度，且起始季度不晚于截止季度。",
            ),
        ),
    ]
