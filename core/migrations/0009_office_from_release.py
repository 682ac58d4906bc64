"""The office row of a database made by the release before core/ (ae94d08): it was assessment's model, table
`assessment_office`; core's 0001_initial made an empty `core_office` beside it, so the upgraded portal showed the
default names instead of the office's. This copies the row over (unless the office already changed the new one
at /office/), moves its content type (and with it the permissions and admin log entries) to core, and drops the
old table. A database made since has no `assessment_office`: nothing happens there (core/upgrade.py).
"""

from django.db import migrations

OLD_TABLE = "assessment_office"
FIELDS = [
    "name",
    "short_name",
    "city",
    "series_title",
    "subtitle",
    "site_title",
    "mail_tag",
    "report_to",
    "send_to",
    "editor",
    "email",
    "reviewers",
    "phone",
]


def _untouched(office, Office):
    """The row `Office.get_office` creates with the defaults, never edited (or no row at all)."""
    if office is None:
        return True
    defaults = {field.name: field.get_default() for field in Office._meta.fields if field.name in FIELDS}
    return all(getattr(office, name) == value for name, value in defaults.items())


def office_from_release(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if OLD_TABLE not in connection.introspection.table_names(cursor):
            return
        columns = ", ".join(connection.ops.quote_name(name) for name in FIELDS)
        cursor.execute(f"SELECT {columns} FROM {connection.ops.quote_name(OLD_TABLE)} WHERE id = 1")
        row = cursor.fetchone()
    Office = apps.get_model("core", "Office")
    if row is not None and _untouched(Office.objects.filter(pk=1).first(), Office):
        Office.objects.update_or_create(pk=1, defaults=dict(zip(FIELDS, row, strict=True)))
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label="assessment", model="office").first()
    if old is not None:
        if ContentType.objects.filter(app_label="core", model="office").exists():
            old.delete()
        else:
            old.app_label = "core"
            old.save(update_fields=["app_label"])
    schema_editor.execute(f"DROP TABLE {connection.ops.quote_name(OLD_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_token_grant_backfill"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(office_from_release, migrations.RunPython.noop, elidable=False)]
