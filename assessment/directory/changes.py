"""What an edit changed, field by field, in the office's words (the audit entry's detail)."""

from django.db import models

YES, NO = "是", "否"


def shown(instance, field):
    """A field's value as a page shows it: choices by label, flags as 是/否, lists joined with 、."""
    value = getattr(instance, field.attname)
    if value is None or value == "":
        return "（空）"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return YES if value else NO
    if isinstance(field, models.ForeignKey):
        return str(getattr(instance, field.name))
    if isinstance(value, list):
        return "、".join(map(str, value)) or "（空）"
    return str(value)


def describe_changes(before, after, fields):
    """“名称：统计局 → 市统计局；顺序：3 → 4” for the `fields` that differ between two instances of a model."""
    lines = []
    for name in fields:
        field = after._meta.get_field(name)
        old, new = shown(before, field), shown(after, field)
        if old != new:
            lines.append(f"{field.verbose_name}：{old} → {new}")
    return "；".join(lines)
