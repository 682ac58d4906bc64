"""PDF, Word and Excel of an issue, opened as their readers would: pdftotext/pdftoppm, python-docx, openpyxl."""

import datetime
import io
import re
import shutil
import subprocess
from urllib.parse import unquote

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from PIL import Image

from assessment.marks.services import set_mark
from assessment.models import Mark
from bulletins import documents, services
from bulletins.models import Issue

from . import reference

DEMO = "/bulletins/2019/11/"
pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")


def _download(client, url, content_type):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == content_type
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body, unquote(response["Content-Disposition"])


def _pdf(client, url=DEMO):
    year, number = (int(part) for part in url.strip("/").split("/")[-2:])
    version = Issue.objects.get(year=year, number=number).current_version
    if version is not None:  # a published PDF is made by render_documents, never in a reader's request
        documents.store(version, "pdf")
    body, disposition = _download(client, url + "issue.pdf", "application/pdf")
    assert body.startswith(b"%PDF")
    return body, disposition


def _pdf_text(pdf, tmp_path, *args):
    path = tmp_path / "issue.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def _squashed(text):
    # Page numbers at the foot ("— 3 —") would interrupt a paragraph running over a page break.
    text = "\n".join(line for line in text.splitlines() if not re.fullmatch(r"\s*— \d+ —\s*", line))
    return reference.squash(text)


@pytest.fixture
def demo_pdf(client, db, tmp_path):
    pdf, disposition = _pdf(client)
    return pdf, _pdf_text(pdf, tmp_path, "-raw"), disposition


def test_pdf_is_a4_with_page_numbers_and_named_for_the_issue(demo_pdf, tmp_path):
    pdf, text, disposition = demo_pdf
    assert disposition.startswith("attachment;") and disposition.endswith("工作信息-2019年第11期.pdf")
    info = subprocess.run(["pdfinfo", str(tmp_path / "issue.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
    assert pages >= 4
    assert [int(n) for n in re.findall(r"^— (\d+) —$", text, re.M)] == list(range(1, pages + 1))


def test_pdf_uses_the_serif_cjk_font_and_text_comes_back_as_chinese(demo_pdf, tmp_path):
    _, text, _ = demo_pdf
    fonts = subprocess.run(["pdffonts", str(tmp_path / "issue.pdf")], capture_output=True, text=True).stdout
    assert "notoserifcjksc" in fonts.lower().replace("-", "")  # NotoSerifCJKsc-Regular, -Bold
    assert "\ufffd" not in text and "□" not in text
    squashed = _squashed(text)
    assert "昆山信用体系建设" in squashed and "工作信息" in squashed and "〔2019〕" in squashed


def test_pdf_has_every_printed_line_in_order(demo_pdf):
    text = _squashed(demo_pdf[1])
    position = 0
    for line in reference.text_lines():
        wanted = reference.squash(line.replace("\t", ""))
        found = text.find(wanted, position)
        assert found >= 0, f"missing or out of order in the PDF: {line[:60]}"
        position = found + len(wanted)


def test_pdf_has_every_table_cell_row_by_row_and_every_note(demo_pdf):
    text = _squashed(demo_pdf[1])
    for category, printed in reference.tables().items():
        for cell in printed["header"]:
            assert reference.squash(cell) in text, (category, cell)
        for row in printed["rows"]:
            assert reference.squash("".join(row)) in text, (category, row[0])
        for number, note in printed["notes"]:
            assert reference.squash(f"{number}. {note}") in text, (category, number)


def test_pdf_repeats_the_department_header_on_every_page_of_its_table(demo_pdf):
    printed = reference.tables()["部门"]
    header = reference.squash("".join(printed["header"][:3]))
    rows = [reference.squash("".join(row)) for row in printed["rows"]]
    pages = [reference.squash(page) for page in demo_pdf[1].split("\f")]
    with_rows = [page for page in pages if any(row in page for row in rows)]
    assert len(with_rows) >= 2, "the department table should run over more than one page"
    assert all(header in page for page in with_rows)


def test_pdf_pages_render_as_pictures_with_a_red_masthead(demo_pdf, tmp_path):
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "6", str(tmp_path / "issue.pdf"), str(tmp_path / "page")],
        check=True,
    )
    pictures = sorted(tmp_path.glob("page-*.png"))
    assert len(pictures) == 6
    for path in pictures:
        image = Image.open(path).convert("L")
        dark = sum(image.histogram()[:128])
        assert dark > 0.01 * image.width * image.height, f"{path.name} looks blank"
    first = Image.open(pictures[0]).convert("RGB")
    top = first.crop((0, 0, first.width, first.height // 4)).tobytes()
    red = sum(1 for i in range(0, len(top), 3) if top[i] > 150 and top[i + 1] < 90 and top[i + 2] < 90)
    assert red > 200, "no red masthead on the first page"


def _stored_docx(client, url=DEMO):
    """The Word file of the current version, as a reader downloads it once render_documents has made it."""
    issue = Issue.objects.get(year=2019, number=int(url.rstrip("/").split("/")[-1]))
    documents.store(issue.current_version, "docx")
    response = client.get(url + "issue.docx")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_docx_tables_match_the_printed_issue_cell_for_cell(client, db):
    documents.store(Issue.objects.get(year=2019, number=11).current_version, "docx")
    body, disposition = _download(
        client, DEMO + "issue.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert disposition.endswith("工作信息-2019年第11期.docx")
    doc = Document(io.BytesIO(body))
    assert len(doc.tables) == 3
    for table, category in zip(doc.tables, reference.CATEGORIES, strict=True):
        printed = reference.tables()[category]
        header, *rows = [[cell.text for cell in row.cells] for row in table.rows]
        assert [reference.squash(c) for c in header] == [reference.squash(c) for c in printed["header"]]
        assert rows == printed["rows"]
        # The header row repeats on every page in Word too.
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    paragraphs = [p.text for p in doc.paragraphs]
    for category in reference.CATEGORIES:
        for number, note in reference.tables()[category]["notes"]:
            assert any(reference.squash(p) == reference.squash(f"{number}. {note}") for p in paragraphs), note
    text = reference.squash("".join(paragraphs))
    assert "昆山信用体系建设" in text and "【工作推进】" in text and "守信激励·企业燃眉之急“马上办”" in text
    assert "一、建立更加健全完善的信用建设支撑体系" in text and "（市“331”专班）" in text
    assert "报：江苏省信用办" in text and "电话（传真）：0512-57310600" in text


def test_xlsx_comes_from_the_snapshot_cell_for_cell(client, db):
    version = Issue.objects.get(year=2019, number=11).current_version
    body, disposition = _download(
        client, DEMO + "progress.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    wb = load_workbook(io.BytesIO(body))
    for frozen in version.snapshot["tables"]:
        ws = wb[frozen["category"]["name"]]
        rows = list(ws.iter_rows(min_row=3, max_row=2 + len(frozen["rows"]), values_only=True))
        expected = [
            (r["unit"], *[int(v) if v.isdigit() else v for v in r["values"]], r["deduction_text"] or None)
            for r in frozen["rows"]
        ]
        assert rows == expected


def test_downloads_do_not_change_when_a_mark_changes_after_publishing(client, db, staff_user, tmp_path):
    before_pdf = _pdf_text(_pdf(client)[0], tmp_path)
    before_docx = _stored_docx(client)
    mark = Mark.objects.get(unit__name="昆山开发区", indicator__order=5, indicator__scheme__year=2019)
    set_mark(mark, "√", staff_user)
    assert _pdf_text(_pdf(client)[0], tmp_path) == before_pdf
    cells = [c.text for c in Document(io.BytesIO(_stored_docx(client))).tables[0].rows[1].cells]
    assert cells == [c.text for c in Document(io.BytesIO(before_docx)).tables[0].rows[1].cells]
    assert cells[5] == "*"


def test_a_corrected_issue_says_so_in_its_pdf_and_docx(client, db, tmp_path):
    issue = Issue.objects.get(year=2019, number=11)
    issue.articles.update(title="更正后的标题")
    services.publish_issue(issue, None, reason="文章标题有误")
    text = reference.squash(_pdf_text(_pdf(client)[0], tmp_path))
    assert "更正（第2版）。更正原因：文章标题有误" in text and "更正后的标题" in text
    doc = Document(io.BytesIO(_stored_docx(client)))
    assert any("更正原因：文章标题有误" in p.text for p in doc.paragraphs)


def test_a_draft_downloads_for_staff_marked_as_draft(role_client, tmp_path):
    issue = services.create_issue(year=2019, number=12, date=datetime.date(2019, 12, 20))
    services.add_article(issue, title="草稿文章", body="正文。")
    staff = role_client("staff")
    text = reference.squash(_pdf_text(_pdf(staff, "/bulletins/2019/12/")[0], tmp_path))
    assert "未发布的草稿" in text and "草稿文章" in text
    assert role_client("anonymous").get("/bulletins/2019/12/issue.pdf").status_code == 404
