"""Import from Excel: workbooks in the export's own layout, previewed cell by cell, confirmed all or nothing.

Three kinds, each the mirror of an export written by the one Excel writer (`core.excel`):

- marks: the progress workbook (`/assessment/<year>/progress.xlsx` or a bulletin's `progress.xlsx`);
- schemes: a year's indicators and notes (`/assessment/<year>/schemes.xlsx`);
- units: the units (`/assessment/units.xlsx`).

Upload → `start_import` reads and checks the file, works out every change and stores it in an
`ImportSession` (the parsed changes as JSON, never the file) → staff look at the preview →
`confirm_import` applies it in one transaction, or refuses it whole.

The workbook is read with openpyxl in read-only mode rather than import-export's own readers:
those take the first row of the first sheet as the header, while our layout has a title row,
one sheet per table, and notes under the table; read-only mode also streams a large file
instead of loading it whole. Units and schemes are then handed to import-export Resources
(`assessment.imports.resources`) as tablib Datasets. Marks are not: a mark cell is one unit × one
indicator of a pivoted table, and it must change through `services.bulk_set_marks`
(vocabulary, versions, history, one undoable batch), never through a Resource's own save.
"""

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from assessment.audit_actions import AuditAction
from assessment.imports import staleness
from assessment.imports.marks import apply_marks, preview_marks
from assessment.imports.reading import read_workbook, row_limit
from assessment.imports.sheets import current_fingerprint, datasets_from_json, datasets_json, flat_import
from assessment.models import ImportKind, ImportSession
from core.audit import audited
from core.errors import DomainError

SESSION_MAX_AGE = timedelta(hours=2)


def start_import(uploaded, kind, year, user):
    """Read and check the upload, work out the changes without keeping any: an ImportSession to preview."""
    sheets = read_workbook(uploaded, max_rows=row_limit(year))
    if kind == ImportKind.MARKS:
        payload = preview_marks(sheets, year)
        since = getattr(sheets, "exported_at", None)
        payload["reverts"] = staleness.newer_changes(payload["changes"], since)
        payload["stale_warning"] = staleness.warning(since, payload["reverts"])
    else:
        fingerprint = current_fingerprint(kind, year)
        with transaction.atomic():
            datasets, payload = flat_import(kind, sheets, year, user)
            transaction.set_rollback(True)  # a preview: nothing is kept
        payload["datasets"] = datasets_json(datasets)
        payload["fingerprint"] = fingerprint
    payload["errors"] = sheets.problems + payload.get("errors", [])
    # A file with errors is refused at once: its preview says so (未导入), never 待确认.
    refused = bool(payload.get("errors"))
    return ImportSession.objects.create(
        token=uuid.uuid4(),
        kind=kind,
        year=year,
        file_name=(uploaded.name or "")[:255],
        payload=payload,
        created_by=user,
        status=ImportSession.Status.REFUSED if refused else ImportSession.Status.PREVIEW,
        message=f"文件中有 {len(payload['errors'])} 个错误" if refused else "",
        finished_at=timezone.now() if refused else None,
    )


def _import_facts(args, session):
    session = session or args["session"]
    return {"obj": session, "detail": f"{session.get_kind_display()} · {session.file_name}：{session.message}"}


@audited(AuditAction.IMPORT_CONFIRM, _import_facts, refused=DomainError)
def confirm_import(session, user):
    """Apply a previewed import all or nothing. Refused (and the session closed) when anything changed since."""
    try:
        with transaction.atomic():
            session = ImportSession.objects.select_for_update().get(pk=session.pk)
            if session.created_by_id != user.pk:
                raise DomainError("只能确认自己上传的导入。")
            if session.errors:
                raise DomainError("文件中有错误，不能导入。请改正后重新上传。")
            if session.status != ImportSession.Status.PREVIEW:
                raise DomainError("这次导入已经处理过了（每个上传只能确认一次）。请重新上传。")
            if timezone.now() - session.created_at > SESSION_MAX_AGE:
                raise DomainError("预览已超过两小时，请重新上传文件。")
            if not session.changes:
                raise DomainError("文件与系统中的内容相同，没有需要导入的修改。")
            if session.kind == ImportKind.MARKS:
                session.batch = apply_marks(session, user)
            else:
                if current_fingerprint(session.kind, session.year) != session.payload.get("fingerprint"):
                    raise DomainError("预览之后数据已被他人修改，导入未执行。请重新导出、修改后再上传。")
                _, payload = flat_import(
                    session.kind, datasets_from_json(session.payload["datasets"]), session.year, user
                )
                if payload["errors"]:
                    raise DomainError("导入时发现错误，未做任何修改：" + payload["errors"][0]["message"])
            session.status = ImportSession.Status.DONE
            session.finished_at = timezone.now()
            session.message = f"已导入 {len(session.changes)} 处修改。"
            session.save(update_fields=["status", "finished_at", "message", "batch"])
            return session
    except DomainError as exc:
        ImportSession.objects.filter(pk=session.pk, status=ImportSession.Status.PREVIEW).update(
            status=ImportSession.Status.REFUSED, message=str(exc)[:500], finished_at=timezone.now()
        )
        raise
