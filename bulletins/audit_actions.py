"""The bulletin's actions in the audit log (registered with `core.audit.actions` when imported)."""

from core.audit.actions import AuditAction

AuditAction.register("PUBLISH", "publish", "发布期刊")
AuditAction.register("CORRECT", "correct", "发布更正")

__all__ = ["AuditAction"]
