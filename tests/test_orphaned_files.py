"""`manage.py orphaned_files`: files under MEDIA_ROOT that no row names are listed with their sizes (a dry run
by default) and removed with --delete, as the weekly job does; a file younger than an hour (an upload in flight),
a file a row's FileField names and the stored files of a published version are never touched."""

import io
import os
import time

import pytest
from django.core.management import CommandError, call_command

from bulletins import documents
from bulletins.models import IssueVersion
from cases.models import CaseAttachment
from core.audit.actions import AuditAction
from core.audit.models import AuditEntry
from core.jobs.models import JobRun

from .factories import CaseAttachmentFactory

HOUR = 3600


def _file(root, name, content=b"x", age=2 * HOUR):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def _files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.fixture
def media(media_root, reporter_case):
    """Named files, orphans of every kind, and a file still being uploaded."""
    attachment = CaseAttachmentFactory(case=reporter_case)
    os.utime(media_root / attachment.file.name, (time.time() - 48 * HOUR,) * 2)  # old, but its row names it
    version = IssueVersion.objects.get(issue__year=2019, issue__number=11, number=1)
    _file(media_root, documents.stored_name(version, "pdf"), b"%PDF stored")  # the version's own folder
    _file(media_root, f"{documents.version_folder(version)}/pdf.l1.pdf", b"old layout")  # still its folder
    _file(media_root, "issues/2019-11/v9-20191105083012000000/pdf.l5.pdf", b"0" * 3000)  # no such version
    _file(media_root, "cases/2019/0123456789abcdef0123456789abcdef.pdf", b"0" * (3 * 1024 * 1024))  # killed worker
    _file(media_root, ".uploads/.partial-abc.upload.pdf", b"0" * 1500)  # an upload cut off mid-body
    _file(media_root, "mark_requests/2026/12/.partial-0a1b.pdf", b"", age=30 * 60)  # being written now
    return attachment


ORPHANS = [
    ".uploads/.partial-abc.upload.pdf（1.5 KB）",
    "cases/2019/0123456789abcdef0123456789abcdef.pdf（3.0 MB）",
    "issues/2019-11/v9-20191105083012000000/pdf.l5.pdf（2.9 KB）",
]


def test_the_dry_run_lists_the_orphans_with_their_sizes_and_removes_nothing(media, media_root):
    before = _files(media_root)
    out = io.StringIO()
    call_command("orphaned_files", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[:-1] == [f"将删除 {orphan}" for orphan in ORPHANS]
    assert lines[-1].startswith("试运行：3 个无主文件，共 3.0 MB")
    assert lines[-1].endswith("；加 --delete 删除；另有 1 个一小时内写入的文件未处理（可能正在上传）。")
    assert _files(media_root) == before


def test_delete_removes_the_orphans_only(media, media_root):
    out = io.StringIO()
    call_command("orphaned_files", "--delete", stdout=out)
    assert out.getvalue().splitlines()[:-1] == [f"已删除 {orphan}" for orphan in ORPHANS]
    version = IssueVersion.objects.get(issue__year=2019, issue__number=11, number=1)
    folder = documents.version_folder(version)
    assert _files(media_root) == sorted(
        [
            media.file.name,
            f"{folder}/pdf.l1.pdf",
            documents.stored_name(version, "pdf"),
            "mark_requests/2026/12/.partial-0a1b.pdf",
        ]
    )
    assert media.file.storage.exists(media.file.name)
    entry = AuditEntry.objects.get(action=AuditAction.ORPHANS_DELETE)  # who: the system, what: each file
    assert entry.actor is None and entry.detail.split("；") == ORPHANS
    again = io.StringIO()
    call_command("orphaned_files", stdout=again)
    assert again.getvalue().startswith("试运行：0 个无主文件，共 0 字节")


def test_the_weekly_job_deletes_and_is_recorded(media, media_root):
    call_command("run_job", "orphaned_files", stdout=io.StringIO())
    run = JobRun.objects.get(job="orphaned_files")
    assert run.result == JobRun.Result.OK and "3 个无主文件已删除" in run.output
    assert not (media_root / ".uploads/.partial-abc.upload.pdf").exists()


@pytest.mark.django_db
def test_no_media_directory_is_nothing_to_do(media_root):
    out = io.StringIO()
    call_command("orphaned_files", "--delete", stdout=out)
    assert "0 个无主文件已删除" in out.getvalue()


@pytest.mark.django_db
def test_a_database_that_names_no_file_at_all_deletes_nothing(media_root):
    """A new database not yet restored (or the wrong one) would make every file an orphan: refused instead."""
    CaseAttachment.objects.all().delete()
    IssueVersion.objects.all().delete()
    kept = _file(media_root, "cases/2019/0123456789abcdef0123456789abcdef.pdf", age=48 * HOUR)
    with pytest.raises(CommandError, match="数据库中没有任何附件或已发布简报的记录.*未删除任何文件"):
        call_command("orphaned_files", "--delete", stdout=io.StringIO())
    assert kept.exists()
