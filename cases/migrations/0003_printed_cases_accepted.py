from django.db import migrations


def accept_printed_cases(apps, schema_editor):
    """Cases already printed in an issue were accepted before the portal had a review step."""
    Case = apps.get_model("cases", "Case")
    IssueCase = apps.get_model("bulletins", "IssueCase")
    printed = IssueCase.objects.values("case_id")
    Case.objects.filter(pk__in=printed, status="draft").update(status="accepted", for_bulletin=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_case_workflow"),
        ("bulletins", "0001_initial"),
    ]

    operations = [migrations.RunPython(accept_printed_cases, migrations.RunPython.noop)]
