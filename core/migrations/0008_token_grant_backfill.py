"""Who made the tokens made before TokenGrant: the audit log's 生成接口令牌 entry of each (its actor; none for
`manage.py api_token`). A token without such an entry keeps no grant and counts as made by someone else."""

from django.db import migrations

PREFIX = "令牌前4位："  # core/audit/signals.py, the detail of a token_create entry


def backfill(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    TokenGrant = apps.get_model("core", "TokenGrant")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    for token in Token.objects.filter(grant__isnull=True):
        made = (
            AuditEntry.objects.filter(
                action="token_create",
                object_id=str(token.user_id),
                detail=PREFIX + token.key[:4],
                at__gte=token.created,
            )
            .order_by("seq")
            .first()
        )
        if made is not None:
            TokenGrant.objects.create(token=token, created_by_id=made.actor_id, created_by_name=made.actor_name)
            TokenGrant.objects.filter(token=token).update(created_at=made.at)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_token_grant"),
        ("audit", "0004_list_indexes"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
