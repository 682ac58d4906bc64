from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core.audit.models import AuditChainHead, AuditEntry

# Append-only tables: the application may read and add, never change, delete or truncate (the audit log), or
# move forward but never delete (its head). Every other table: read and write, no TRUNCATE, no DDL.
LIMITED = {AuditEntry._meta.db_table: "SELECT, INSERT", AuditChainHead._meta.db_table: "SELECT, INSERT, UPDATE"}
READ_ONLY = ("django_migrations",)


def grant_statements(role, schema):
    """The statements that give `role` (the application's login) what it needs and nothing more."""
    q = connection.ops.quote_name
    role, schema = q(role), q(schema)
    statements = [
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        # Tables a later migration creates: readable and writable at once (run this command again after migrate).
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]
    for table, privileges in {**LIMITED, **dict.fromkeys(READ_ONLY, "SELECT")}.items():
        statements += [f"REVOKE ALL ON {q(table)} FROM {role}", f"GRANT {privileges} ON {q(table)} TO {role}"]
    return statements


class Command(BaseCommand):
    help = (
        "在 PostgreSQL 上给应用的数据库角色授权（由拥有各表的迁移角色运行，每次 migrate 之后再运行）："
        "审计表只能查询和追加，其他表可读写；不能清空（TRUNCATE）或修改表结构和触发器。"
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="应用登录数据库所用的角色，例如 kunshan_credit_app")
        parser.add_argument("--sql", action="store_true", help="只显示要执行的语句，不执行")

    def handle(self, role, sql=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError("授权只适用于 PostgreSQL（当前数据库不是 PostgreSQL）。")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema(), current_user")
            schema, me = cursor.fetchone()
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [AuditEntry._meta.db_table])
            owner = cursor.fetchone()
        if found is None:
            raise CommandError(f"数据库中没有角色“{role}”：请先创建（CREATE ROLE {role} LOGIN PASSWORD '…'）。")
        if found[0] or role == me or (owner and owner[0] == role):
            raise CommandError(
                f"角色“{role}”是超级用户或拥有这些表，授权限制不了它：应用须用另一个不拥有表的角色登录。"
            )
        statements = grant_statements(role, schema)
        if sql:
            self.stdout.write(";\n".join(statements) + ";\n")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            f"已给角色“{role}”授权：审计表只能查询和追加，其他表可读写，不能清空或修改表结构"
            f"（共 {len(statements)} 条语句）。\n"
        )
