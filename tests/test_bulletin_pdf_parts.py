"""A long issue's PDF is laid out in parts (bulletins.pdf) and still reads as one printed bulletin.

The demo's units are multiplied (210 units) and the parts made small (50 items), so the tables run over
several parts; the PDF a reader downloads is read back with pdftotext, as in test_bulletin_downloads.
"""

import re
import shutil
import subprocess
from collections import Counter

import pytest

from bulletins import documents, pdf
from bulletins.models import IssueVersion

from . import reference
from .factories import correct_demo_issue, multiply_units

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed"),
]
ROWS_PER_PART = 50


def _text(content, tmp_path, name, *args):
    path = tmp_path / name
    path.write_bytes(content)
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def multiplied(client, monkeypatch, tmp_path):
    """The demo issue corrected to print three times its units, downloaded as readers do; (bytes, version)."""
    multiply_units(3)
    assert correct_demo_issue()
    monkeypatch.setattr(pdf, "ROWS_PER_PART", ROWS_PER_PART)
    # Made as render_documents makes it after publication (a reader's download never makes it), then downloaded.
    documents.store(IssueVersion.objects.get(issue__year=2019, issue__number=11, number=2), "pdf")
    response = client.get("/bulletins/2019/11/issue.pdf")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    version = IssueVersion.objects.get(issue__year=2019, issue__number=11, number=2)
    return content, version


def _printed_units(text, names):
    """The units whose row starts a line of the progress section, in the order printed."""
    section = text.split("【工作进展通报】", 1)[1]
    by_length = sorted({reference.squash(n): n for n in names}.items(), key=lambda pair: -len(pair[0]))
    printed = []
    for line in section.splitlines():
        squashed = reference.squash(line)
        for key, name in by_length:
            # a row is its unit then its cells (√, *, 无, a count…), never another unit's name
            if squashed.startswith(key) and not re.match(r"[#\d]", squashed[len(key) :]):
                printed.append(name)
                break
    return printed


def test_every_unit_is_printed_exactly_once_in_order_across_the_parts(multiplied, tmp_path):
    content, version = multiplied
    tables = version.snapshot["tables"]
    units = [row["unit"] for table in tables for row in table["rows"]]
    assert len(units) == 210 and len(units) > 3 * ROWS_PER_PART  # the tables run over several parts
    text = _text(content, tmp_path, "issue.pdf", "-raw")
    assert _printed_units(text, units) == units
    # each table's notes once (two tables may share a note's words)
    notes = Counter(reference.squash(f"{n['number']}. {n['text']}") for table in tables for n in table["notes"])
    assert notes and {note: reference.squash(text).count(note) for note in notes} == notes


def test_the_pages_of_the_parts_are_numbered_on_and_each_repeats_its_table_header(multiplied, tmp_path):
    content, version = multiplied
    text = _text(content, tmp_path, "issue.pdf", "-raw")
    pages = text.split("\f")[:-1]
    info = subprocess.run(["pdfinfo", str(tmp_path / "issue.pdf")], capture_output=True, text=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info)[1]) == len(pages) > 8
    assert re.search(r"Title:\s+昆山信用体系建设 工作信息 2019年第11期", info)
    assert [re.findall(r"^— (\d+) —$", page, re.M) for page in pages] == [[str(n)] for n in range(1, len(pages) + 1)]
    departments = next(t for t in version.snapshot["tables"] if t["category"]["name"] == "部门")
    header = reference.squash("".join(departments["header"][:2]))
    names = [row["unit"] for row in departments["rows"]]
    # from the progress section on: a line of an article may begin with a department's name too
    progress = next(n for n, page in enumerate(pages) if "【工作进展通报】" in page)
    with_rows = [page for page in pages[progress:] if _printed_units("【工作进展通报】\n" + page, names)]
    assert len(with_rows) >= 4
    assert all(header in reference.squash(page) for page in with_rows)


def test_the_parts_lay_out_as_one_document_would(multiplied, tmp_path):
    """Page for page the same text as the issue laid out in one piece: no half-empty page between parts."""
    content, version = multiplied
    whole = pdf.render_pdf(version.snapshot, version, rows_per_part=10_000)
    assert _text(content, tmp_path, "parts.pdf", "-layout") == _text(whole, tmp_path, "whole.pdf", "-layout")
