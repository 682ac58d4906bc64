"""The audit log's hash chain (core/audit/chain.py): each entry's place, the previous entry's hash and its own,
and the chain's head; the entries already written (a demo's) are chained in the order they were written.

On PostgreSQL a trigger keeps the head moving forward only and never deleted; chaining the existing rows
disables the append-only trigger for this migration's own UPDATEs (the migration runs as the tables' owner).
"""

from django.db import migrations, models

from core.audit.chain import GENESIS, entry_hash

HEAD_TRIGGER = """
CREATE OR REPLACE FUNCTION audit_chain_head_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.seq <= OLD.seq THEN
        RAISE EXCEPTION '审计链头只能前进，不能改回或删除。' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_chain_head_forward_only BEFORE UPDATE OR DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward_only();
"""
DROP_HEAD_TRIGGER = """
DROP TRIGGER IF EXISTS audit_chain_head_forward_only ON audit_auditchainhead;
DROP FUNCTION IF EXISTS audit_chain_head_forward_only();
"""


def chain_existing(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
    prev, last = GENESIS, None
    for seq, entry in enumerate(AuditEntry.objects.order_by("pk"), start=1):
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = entry_hash(entry, prev)
        AuditEntry.objects.filter(pk=entry.pk).update(seq=seq, prev_hash=prev, hash=entry.hash)
        prev, last = entry.hash, entry
    if last is not None:
        AuditChainHead.objects.create(seq=last.seq, hash=last.hash, at=last.at)
    if postgresql:
        schema_editor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
        schema_editor.execute(HEAD_TRIGGER)


def unchain(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_HEAD_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name="链序号"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="前一条校验值"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="校验值"),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.PositiveBigIntegerField(verbose_name="最后一条的链序号")),
                ("hash", models.CharField(max_length=64, verbose_name="最后一条的校验值")),
                ("at", models.DateTimeField(verbose_name="最后一条的时间")),
            ],
            options={
                "verbose_name": "审计链头",
                "verbose_name_plural": "审计链头",
                "ordering": ["pk"],
                "default_permissions": (),
            },
        ),
        migrations.RunPython(chain_existing, unchain),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, verbose_name="链序号"),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(fields=("seq",), name="audit_entry_seq_unique"),
        ),
    ]
