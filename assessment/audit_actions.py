"""The assessment's actions in the audit log (registered with `core.audit.actions` when imported)."""

from core.audit.actions import AuditAction

for _name, _value, _label in [
    ("IMPORT_CONFIRM", "import_confirm", "确认导入"),
    ("BULK_CHANGE", "bulk_change", "批量修改"),
    ("UNDO", "undo", "撤销修改"),
    ("YEAR_CLOSE", "year_close", "年终考核"),
    ("YEAR_REOPEN", "year_reopen", "重新开放年度"),
    ("UNIT_CREATE", "unit_create", "新建责任单位"),
    ("UNIT_CHANGE", "unit_change", "修改责任单位"),
    ("UNIT_DELETE", "unit_delete", "删除责任单位"),
    ("INDICATOR_CREATE", "indicator_create", "新增考核指标"),
    ("INDICATOR_CHANGE", "indicator_change", "修改考核指标"),
    ("INDICATOR_DELETE", "indicator_delete", "删除考核指标"),
    ("UNIT_WITHDRAW", "unit_withdraw", "移出年度考核"),
    ("NOTE_CREATE", "note_create", "新增说明"),
    ("NOTE_CHANGE", "note_change", "修改说明"),
    ("NOTE_DELETE", "note_delete", "删除说明"),
    ("ROBOT_CHANGE", "robot_change", "设置群机器人"),
    ("ROBOT_DELETE", "robot_delete", "删除群机器人"),
]:
    AuditAction.register(_name, _value, _label)

__all__ = ["AuditAction"]
