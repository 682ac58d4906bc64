"""The downloads of an issue — PDF (bulletins.pdf, Typst), Word (bulletins.word), the progress workbook.

A published version never changes, so each of its files is made once and kept in the default
storage (MEDIA_ROOT, or whatever STORAGES["default"] names) under
issues/<year>-<number>/v<version>-<published at>/, each version its own: every download of a
version sends the same bytes, from whichever server process answers. They are made after
publication by `manage.py render_documents` (cron, every minute: deploy/cron). A download of the
workbook that comes before that makes and keeps the file itself (a few milliseconds); the PDF and the Word file
are never made inside a reader's request (seconds and hundreds of MB at a province's scale, in a server worker
that keeps its memory): a download of either before it is stored answers that it is being made and since when
(`available`, `progress_text`), the one rule for both.
A draft's files are made on every request and never kept.

The PDF is typeset by Typst from the same presented snapshot the page renders (bulletins.pdf, in parts of
bounded size); the tests read every printed line and cell back from it.
"""

import io
import logging
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from assessment.sheets import progress_sheets
from core import stored_files
from core.downloads import download_response
from core.excel import XLSX_CONTENT_TYPE, write_workbook

from . import word
from .pdf import render_pdf

log = logging.getLogger(__name__)

PDF_CONTENT_TYPE = "application/pdf"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Bump when the layout of the files changes, so the stored files of published versions are made again.
LAYOUT = 5


def render_xlsx(data, issue, version=None):
    """A published version's workbook is stamped with its publication time: the same bytes every time."""
    stream = io.BytesIO()
    sheets = progress_sheets(data["tables"], title_prefix=f"{issue.year}年第{issue.number}期 ")
    write_workbook(sheets, stream, at=version.published_at if version is not None else None)
    return stream.getvalue()


class Kind:
    """One kind of download: how it is named, typed and made; `on_request`: whether a download before the
    file is stored may make it (False: only `render_documents` makes it)."""

    def __init__(self, slug, label, ext, content_type, make, *, on_request=True):
        self.slug, self.label, self.ext, self.content_type, self.make = slug, label, ext, content_type, make
        self.on_request = on_request

    def filename(self, issue, version=None):
        """E.g. 工作信息-2019年第12期.pdf; once the issue is corrected every version's file names its version
        (工作信息-2019年第12期-第2版.pdf), so the files of two versions are told apart where they are saved."""
        corrected = version is not None and (version.number > 1 or version.pk != issue.current_version_id)
        suffix = f"-第{version.number}版" if corrected else ""
        return f"{self.label}-{issue.year}年第{issue.number}期{suffix}.{self.ext}"


KINDS = {
    kind.slug: kind
    for kind in (
        Kind(
            "pdf",
            "工作信息",
            "pdf",
            PDF_CONTENT_TYPE,
            lambda data, _issue, version: render_pdf(data, version),
            on_request=False,
        ),
        Kind(
            "docx",
            "工作信息",
            "docx",
            DOCX_CONTENT_TYPE,
            lambda data, _issue, ver: word.render_docx(data, ver),
            on_request=False,
        ),
        Kind("xlsx", "工作进展通报", "xlsx", XLSX_CONTENT_TYPE, lambda data, issue, ver: render_xlsx(data, issue, ver)),
    )
}


def version_folder(version):
    # The publication time keeps a version's folder its own even if a database is rebuilt under the same media.
    issue = version.issue
    return f"issues/{issue.year}-{issue.number}/v{version.number}-{version.published_at:%Y%m%d%H%M%S%f}"


def stored_name(version, kind):
    return f"{version_folder(version)}/{kind}.l{LAYOUT}.{KINDS[kind].ext}"


def is_stored(version, kind):
    return default_storage.exists(stored_name(version, kind))


def store(version, kind, *, data=None):
    """Make the version's file of `kind` and keep it (unless it is there already); its stored name."""
    name = stored_name(version, kind)
    if default_storage.exists(name):
        return name
    started = time.monotonic()
    content = KINDS[kind].make(version.snapshot if data is None else data, version.issue, version)
    # Whole or not at all (core.stored_files): a file cut short never has the name a download reads. Another
    # process that stored it meanwhile is kept: the bytes are the same content.
    stored_files.write(default_storage, name, ContentFile(content), keep_existing=True)
    log.info("stored %s in %.1f s", name, time.monotonic() - started)
    return name


# The order the files of a version are made in: the PDF last, the slowest.
ORDER = ("xlsx", "docx", "pdf")


def store_all(version):
    """Every file of a published version, in ORDER. The names stored."""
    return [store(version, kind) for kind in ORDER]


LABELS = {"pdf": "PDF", "docx": "Word", "xlsx": "Excel"}
DONE_TEXT = "PDF、Word、Excel 文件已生成。"


def _waited(seconds):
    minutes = int(seconds // 60)
    if minutes < 1:
        return "不到 1 分钟"
    if minutes < 60:
        return f"{minutes} 分钟"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} 小时" + (f" {minutes} 分钟" if minutes else "")


def progress_text(missing, queued_at, now=None):
    """The composer's progress line, the one wording of the issue page and of its progress endpoint.

    missing: the labels of the files not stored yet (LABELS' order). queued_at: the version's publication,
    when its files were queued for `render_documents` — the only time known: when the making of one file
    started is not recorded, so the line says how long the files have been waited for, not how long one took.
    """
    if not missing:
        return DONE_TEXT
    now = now or timezone.now()
    queued, today = timezone.localtime(queued_at), timezone.localtime(now)
    at = f"{queued:%H:%M}" if queued.date() == today.date() else f"{queued.month}月{queued.day}日 {queued:%H:%M}"
    waited = _waited(max(0, (now - queued_at).total_seconds()))
    return f"正在生成{'、'.join(missing)}文件…（{at} 发布时排入，已等候 {waited}）"


def available(version, kind):
    """Whether a download of a published version's `kind` answers with the file now: it is stored, or it is
    a kind that a download may make. Otherwise the reader is told it is being made (`waiting_text`)."""
    return KINDS[kind].on_request or is_stored(version, kind)


def waiting_text(version, kind, now=None):
    """What a download of a file not made yet says: the composer's line, for this one file."""
    return progress_text([LABELS[kind]], version.published_at, now)


def progress(version, now=None):
    """Which files of a published version are stored and which are still being made, for the composer.

    {"missing": labels in LABELS' order, "done": labels in the order they are made, "text": progress_text}.
    """
    stored = {kind: is_stored(version, kind) for kind in LABELS}
    missing = [label for kind, label in LABELS.items() if not stored[kind]]
    return {
        "missing": missing,
        "done": [LABELS[kind] for kind in ORDER if stored[kind]],
        "text": progress_text(missing, version.published_at, now),
    }


def response(issue, version, kind, draft_data=None, *, audit=None):
    """The download of `kind`: the stored file of a published version, or a draft made now.

    audit: the request when the file is not public (a draft's): the download is recorded (core.audit).
    """
    spec = KINDS[kind]
    if version is None:
        content = spec.make(draft_data, issue, None)
        return download_response(content, spec.filename(issue), spec.content_type, audit=audit, obj=issue)
    version.issue = issue
    name = stored_name(version, kind)
    if not default_storage.exists(name):
        if not spec.on_request:
            raise ValueError(f"{kind} is made by render_documents, never in a request: ask `available` first")
        try:
            name = store(version, kind)
        except stored_files.StorageFull:
            # The disk is full: the reader still gets the file, made again and sent without being kept.
            log.error("disk full: %s not stored, sent as made", name)
            content = spec.make(version.snapshot, issue, version)
            return download_response(content, spec.filename(issue, version), spec.content_type)
    return download_response(default_storage.open(name, "rb"), spec.filename(issue, version), spec.content_type)
