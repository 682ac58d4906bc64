"""How an issue's PDF is typeset (bulletins.pdf, bulletins/typeset.py, templates/bulletins/issue_pdf.typ).

What the PDF prints is read back with pdftotext, as in test_bulletin_downloads; this file is about what the
typesetter must never do: read an office's text as markup, print without the Chinese font, or make a part in
the server's own process.
"""

import datetime
import shutil
import subprocess
import sys

import pytest

from assessment.scoring.services import close_year
from bulletins import documents, pdf, services, snapshot
from bulletins.models import Issue

from . import reference
from .factories import correct_demo_issue

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed"),
]

# Typst markup and code: all of it must print as the office typed it.
MARKUP = "#pagebreak() *粗体* _斜体_ $x^2$ @ref = 标题 // 注释 \\ 反斜杠 [方括号] {花括号}"


def _text(content, tmp_path, *args):
    path = tmp_path / "issue.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True, capture_output=True, text=True).stdout


def _draft_with(title, body):
    issue = services.create_issue(year=2019, number=12, date=datetime.date(2019, 12, 20))
    services.add_article(issue, title=title, body=body)
    return issue


def test_the_offices_text_prints_as_typed_even_when_it_looks_like_markup(role_client, tmp_path):
    _draft_with(MARKUP, f"第一段{MARKUP}\n（一）{MARKUP}")
    response = role_client("staff").get("/bulletins/2019/12/issue.pdf")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    first_page = reference.squash(_text(content, tmp_path).split("\f")[0])
    assert first_page.count(reference.squash(MARKUP)) == 3  # the title, the paragraph, the heading: no "#pagebreak()"


def test_without_the_chinese_font_no_pdf_is_made(settings, tmp_path):
    issue = _draft_with("草稿文章", "正文。")
    settings.PDF_FONT_PATHS = [str(tmp_path)]  # an empty folder: Typst would fall back to a font without Chinese
    with pytest.raises(pdf.TypesetError, match="(?i)unknown font family: noto serif cjk sc"):
        pdf.render_pdf(snapshot.take(issue))


def test_typst_runs_in_a_process_of_its_own_not_in_the_servers(role_client):
    """Its memo cache, every laid-out cell, lives as long as its process: never as long as a server worker."""
    sys.modules.pop("typst", None)
    _draft_with("草稿文章", "正文。")
    response = role_client("staff").get("/bulletins/2019/12/issue.pdf")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "typst" not in sys.modules


def test_written_deductions_leave_every_cell_at_most_two_lines(staff_user, on_day, client, tmp_path):
    """After the close 扣分情况 is written (财政局's runs to five deductions): it wraps within what the other
    columns leave, never squeezing 非考核项 or 已说明情况 into one character a line (13 pages, as it did)."""
    on_day(datetime.date(2019, 12, 31))
    close_year(2019, staff_user)
    assert correct_demo_issue("年终考核后印发扣分情况")
    data = Issue.objects.get(year=2019, number=11).current_version.snapshot
    for table in snapshot.present(data).tables:
        widths = pdf.column_widths(table)
        assert widths[-1] >= pdf.DEDUCTION_MIN and any(row.deduction_text for row in table.rows)
        for i, width in enumerate(widths[1:-1]):
            widest = max(len(row.values[i]) for row in table.rows)  # in em: CJK, √, *, digits
            assert width >= -(-widest // 2) * pdf.CELL_EM + pdf.CELL_EDGES, (table.category.name, i)
    documents.store(Issue.objects.get(year=2019, number=11).current_version, "pdf")  # as render_documents does
    response = client.get("/bulletins/2019/11/issue.pdf")
    path = tmp_path / "issue.pdf"
    path.write_bytes(b"".join(response.streaming_content))
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert int(info.split("Pages:")[1].split()[0]) <= 10
