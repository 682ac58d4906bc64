"""A file and its row are written together or not at all: a full disk while an attachment is stored is a
Chinese form error with no file and no row; an error after the file is stored, before the commit, leaves no
file; a deleted row takes its file with it (core.stored_files)."""

import contextlib
import datetime
import resource
import signal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from assessment.mark_requests import services as request_services
from assessment.marks.services import set_mark
from assessment.models import Mark, MarkRequest
from bulletins import documents
from bulletins.models import IssueVersion
from cases import case_notices
from cases import services as case_services
from cases.models import Case, CaseAttachment
from core import stored_files
from core.stored_files import StorageFull

from .factories import pdf_upload
from .test_cases_submit import case_data

pytestmark = pytest.mark.usefixtures("media_root")

# A PDF of 200 KB: larger than the disk the tests below fill at 64 KB.
LARGE_PDF = b"%PDF-1.4\n" + b"0" * 200_000 + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# A case's fields as the form cleans them.
CASE = {
    "kind": "reward",
    "title": "信用承诺 助企纾困",
    "subject": "昆山某汽车有限公司",
    "measure": "先发副本营业执照。",
    "event_date": datetime.date(2019, 8, 20),
    "body": "第一段。",
}


@contextlib.contextmanager
def disk_full_at(size):
    """The disk fills at `size` bytes a file: the kernel refuses writes beyond it (EFBIG), as a full disk refuses
    (ENOSPC) — the approach of tests/test_backup_nightly.py."""
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, limits[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, previous)


def files_under(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def pending(reporter_unit, staff_user):
    mark = Mark.objects.get(unit=reporter_unit, indicator__order=5, indicator__scheme__year=2019)
    return set_mark(mark, "*", staff_user)


def test_a_full_disk_while_a_case_attachment_is_stored_is_a_chinese_form_error_and_leaves_nothing(
    role_client, media_root
):
    client = role_client("reporter")
    with disk_full_at(64 * 1024):
        response = client.post("/cases/new/", case_data(attachments=[pdf_upload("现场照片.pdf", LARGE_PDF)]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "服务器存储空间不足，文件“现场照片.pdf”未能保存，本次提交未生效" in page
    assert not Case.objects.filter(title="信用承诺 助企纾困").exists() and not CaseAttachment.objects.exists()
    assert files_under(media_root) == []
    # Space again: the same form goes through, one file with its row.
    response = client.post("/cases/new/", case_data(attachments=[pdf_upload("现场照片.pdf", LARGE_PDF)]))
    attachment = CaseAttachment.objects.get()
    assert response.status_code == 302 and files_under(media_root) == [attachment.file.name]


def test_a_full_disk_while_evidence_is_stored_refuses_the_request_and_leaves_nothing(role_client, pending, media_root):
    client = role_client("reporter")
    with disk_full_at(64 * 1024):
        response = client.post(
            f"/units/{pending.unit_id}/marks/{pending.pk}/request/",
            {"kind": "done", "text": "已开展信用审查。", "attachment": pdf_upload("审查记录.pdf", LARGE_PDF)},
        )
    assert "服务器存储空间不足，文件“审查记录.pdf”未能保存" in response.content.decode()
    assert not MarkRequest.objects.exists() and files_under(media_root) == []


def test_an_error_after_the_attachment_is_stored_and_before_the_commit_leaves_no_file(
    monkeypatch, reporter_user, media_root
):
    def notice_fails(*args, **kwargs):
        raise RuntimeError("通知写入失败")

    # The step after the files: the notice to the office of a submitted case.
    monkeypatch.setattr(case_notices, "notify_arrival", notice_fails)
    with pytest.raises(RuntimeError, match="通知写入失败"):
        case_services.create_case(reporter_user, CASE, uploads=[pdf_upload(), pdf_upload("二.pdf")], submit=True)
    assert not CaseAttachment.objects.exists() and files_under(media_root) == []


def test_an_error_after_the_evidence_is_stored_and_before_the_commit_leaves_no_file(
    monkeypatch, pending, reporter_user, media_root
):
    def notice_fails(*args, **kwargs):
        raise RuntimeError("通知写入失败")

    monkeypatch.setattr(request_services, "_notify_arrival", notice_fails)
    with pytest.raises(RuntimeError, match="通知写入失败"):
        request_services.submit_request(pending, reporter_user, "done", "已开展。", attachment=pdf_upload())
    assert not MarkRequest.objects.exists() and files_under(media_root) == []


def test_a_deleted_row_takes_its_file_once_committed(
    role_client, pending, reporter_user, media_root, django_capture_on_commit_callbacks
):
    request = request_services.submit_request(pending, reporter_user, "done", "已开展。", attachment=pdf_upload())
    assert files_under(media_root) == [request.attachment.name]
    with django_capture_on_commit_callbacks(execute=True):
        pending.delete()  # a mark removed with its scheme: its requests go, and their evidence
    assert not MarkRequest.objects.exists() and files_under(media_root) == []


def test_a_full_disk_while_a_large_upload_is_received_is_a_chinese_page_and_leaves_nothing(role_client, media_root):
    """Over 2.5 MB, a request's file is received to disk (MEDIA_ROOT/.uploads) before any view runs."""
    client = role_client("reporter")
    big = b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024) + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    with disk_full_at(64 * 1024):
        response = client.post("/cases/new/", case_data(attachments=[pdf_upload("现场照片.pdf", big)]))
    assert response.status_code == 507
    assert "服务器存储空间不足，文件未能保存，本次提交未生效（未留下任何内容）" in response.content.decode()
    assert not Case.objects.filter(title="信用承诺 助企纾困").exists()
    assert files_under(media_root) == []


def test_a_full_disk_while_an_issue_file_is_stored_leaves_no_file_cut_short_under_its_name(db, media_root):
    """A stored issue file is never read again once its name exists: a file cut short must never get it."""
    version = IssueVersion.objects.get(issue__year=2019, issue__number=11, number=1)
    content = documents.KINDS["xlsx"].make(version.snapshot, version.issue, version)  # made with room to spare
    name = documents.stored_name(version, "xlsx")
    with disk_full_at(len(content) // 2), pytest.raises(StorageFull):
        stored_files.write(default_storage, name, ContentFile(content), keep_existing=True)
    assert files_under(media_root) == [] and not documents.is_stored(version, "xlsx")
    stored_files.write(default_storage, name, ContentFile(content), keep_existing=True)  # space again
    assert files_under(media_root) == [name] and default_storage.open(name).read() == content
