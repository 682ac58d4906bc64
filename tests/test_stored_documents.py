"""A published version's page, PDF, Word and Excel are made once, stored, and served as the same bytes."""

import io

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from assessment.marks.services import set_mark
from assessment.models import Mark
from bulletins import documents
from bulletins.models import IssueVersion

from .conftest import log_in
from .factories import correct_demo_issue

pytestmark = pytest.mark.django_db


def _bytes(response):
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


def _cell_text(content, unit):
    sheet = load_workbook(io.BytesIO(content))["部门"]
    for row in sheet.iter_rows(values_only=True):
        if row[0] == unit:
            return row[1]
    raise AssertionError(unit)


@pytest.fixture
def corrected(staff_user):
    mark = Mark.objects.get(unit__name="财政局", indicator__scheme__year=2019, indicator__order=1)
    set_mark(mark, "√" if mark.state != "√" else "*", staff_user)
    assert correct_demo_issue()
    return mark


def test_each_version_serves_its_own_files(client, corrected):
    v1 = _bytes(client.get("/bulletins/2019/11/v1/progress.xlsx"))
    v2 = _bytes(client.get("/bulletins/2019/11/v2/progress.xlsx"))
    current = _bytes(client.get("/bulletins/2019/11/progress.xlsx"))
    assert current == v2 != v1
    assert _cell_text(v2, "财政局") == Mark.objects.get(pk=corrected.pk).state
    assert _cell_text(v1, "财政局") != _cell_text(v2, "财政局")
    # The same bytes on every download, from the stored file.
    assert _bytes(client.get("/bulletins/2019/11/v1/progress.xlsx")) == v1
    version = IssueVersion.objects.get(issue__year=2019, issue__number=11, number=1)
    name = documents.stored_name(version, "xlsx")
    assert name.startswith("issues/2019-11/v1-") and default_storage.exists(name)


def test_a_stored_file_is_served_without_reading_the_issue_content(client, corrected):
    documents.store(IssueVersion.objects.get(issue__year=2019, issue__number=11, number=1), "docx")
    with CaptureQueriesContext(connection) as ctx:
        content = _bytes(client.get("/bulletins/2019/11/v1/issue.docx"))
    assert content.startswith(b"PK")
    assert not any('"snapshot"' in q["sql"] for q in ctx.captured_queries)


def test_the_old_version_page_links_its_own_downloads(client, corrected):
    html = client.get("/bulletins/2019/11/v1/").content.decode()
    assert 'href="/bulletins/2019/11/v1/issue.pdf"' in html
    assert 'href="/bulletins/2019/11/v1/progress.xlsx"' in html
    documents.store(IssueVersion.objects.get(issue__year=2019, issue__number=11, number=1), "pdf")
    assert client.get("/bulletins/2019/11/v1/issue.pdf")["Content-Type"] == "application/pdf"


def test_render_documents_stores_what_is_missing_and_the_composer_shows_progress(client, staff_user, corrected):
    log_in(client, staff_user)
    cache.clear()
    assert "正在生成PDF、Word、Excel文件" in client.get("/bulletins/2019/11/").content.decode()
    out = io.StringIO()
    call_command("render_documents", stdout=out)
    assert "共生成 3 个文件" in out.getvalue()
    assert "PDF、Word、Excel 文件已生成" in client.get("/bulletins/2019/11/").content.decode()
    out = io.StringIO()
    call_command("render_documents", stdout=out)
    assert "共生成 0 个文件" in out.getvalue()


@pytest.mark.parametrize(
    ("kind", "label", "magic", "content_type"),
    [("docx", "Word", b"PK", documents.DOCX_CONTENT_TYPE), ("pdf", "PDF", b"%PDF", documents.PDF_CONTENT_TYPE)],
)
def test_a_pdf_or_word_download_before_the_file_is_made_says_so_and_makes_nothing(
    client, corrected, on_day, kind, label, magic, content_type
):
    """The PDF and the Word file are made by render_documents only: a reader's download before one exists
    answers that it is being made and since when (the composer's line), and leaves making it to render_documents
    (seconds and hundreds of MB at a province's scale, never inside a server worker)."""
    version = IssueVersion.objects.get(issue__year=2019, issue__number=11, number=2)
    response = client.get(f"/bulletins/2019/11/issue.{kind}")
    assert response.status_code == 202 and response["Retry-After"] == "60"
    html = response.content.decode()
    assert f"的{label}文件正在生成" in html
    assert documents.waiting_text(version, kind) in html and "发布时排入" in html
    assert 'href="/bulletins/2019/11/"' in html
    assert not documents.is_stored(version, kind)  # nothing made in the request
    assert client.get("/bulletins/2019/11/progress.xlsx").status_code == 200  # the workbook: made on request
    out = io.StringIO()
    call_command("render_documents", stdout=out)
    response = client.get(f"/bulletins/2019/11/issue.{kind}")
    assert response.status_code == 200 and _bytes(response).startswith(magic)
    assert response["Content-Type"] == content_type
