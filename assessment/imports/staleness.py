"""An import built from an older export: which of its changes would revert what changed since.

Every workbook the portal writes carries its time in the document properties (openpyxl's `created`: the
export's moment, or a published version's publication time); Excel and WPS keep it when the file is
edited and saved. A cell the file would change whose mark was changed after that moment is a newer
change the import would undo: the preview names each one and says so before anything is confirmed.
"""

import datetime

from django.utils import timezone

from assessment.models import Mark
from core.people import display_name


def exported_at(workbook):
    """The moment the file was written (aware, UTC), or None for a file without one."""
    created = getattr(workbook.properties, "created", None)
    if created is None:
        return None
    return created if timezone.is_aware(created) else created.replace(tzinfo=datetime.UTC)


def newer_changes(changes, since):
    """The changes (preview dicts) whose mark was changed after `since`: what the import would revert."""
    if since is None or not changes:
        return []
    newer = {
        mark.pk: mark
        for mark in Mark.objects.filter(pk__in=[c["mark"] for c in changes], updated_at__gt=since).select_related(
            "updated_by"
        )
    }
    reverts = []
    for change in changes:
        mark = newer.get(change["mark"])
        if mark is not None:
            by = display_name(mark.updated_by)
            when = timezone.localtime(mark.updated_at).strftime("%Y-%m-%d %H:%M")
            reverts.append({**change, "changed_at": when, "changed_by": by})
    return reverts


def warning(since, reverts):
    """The preview's sentence about them (empty when there are none)."""
    if not reverts:
        return ""
    when = timezone.localtime(since).strftime("%Y-%m-%d %H:%M")
    return (
        f"这个文件导出于 {when}，此后系统中有 {len(reverts)} 处修改；"
        "确认导入会把它们改回文件中的旧内容。如不想撤销这些修改，请重新导出后再修改、上传。"
    )
