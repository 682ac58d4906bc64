"""The Word export turns the wide 部门 table into a landscape section of its own; the rest stays portrait."""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from bulletins import documents
from bulletins.models import Issue

URL = "/bulletins/2019/11/issue.docx"


def _docx(client):
    """The published issue's Word file once render_documents has made it (never in a reader's request)."""
    documents.store(Issue.objects.get(year=2019, number=11).current_version, "docx")
    return Document(io.BytesIO(b"".join(client.get(URL).streaming_content)))


def _section_of_each_table(doc):
    """{first header cell: section index} walking the body (a section ends at a paragraph holding sectPr)."""
    section, found = 0, {}
    tables = iter(doc.tables)
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            found[next(tables).rows[0].cells[0].text] = section
        elif child.tag == qn("w:p") and child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            section += 1
    return found


def test_the_department_table_is_landscape_and_the_others_portrait(client, db):
    doc = _docx(client)
    orientation = [(s.orientation, s.page_width > s.page_height) for s in doc.sections]
    assert orientation == [
        (WD_ORIENT.PORTRAIT, False),
        (WD_ORIENT.LANDSCAPE, True),
        (WD_ORIENT.PORTRAIT, False),
    ]
    assert _section_of_each_table(doc) == {"区镇": 0, "城市管理办事处": 0, "部门": 1}
    # The page numbers carry on in every section; the footer (报/送) is back in portrait.
    assert all(s.footer.is_linked_to_previous for s in doc.sections[1:])
    last = [p.text for p in doc.paragraphs if p.text.startswith("报：")]
    assert last, "footer missing"


def test_fonts_come_from_styles_not_from_each_run(client, db):
    """Every cell and paragraph names a style that carries its fonts (Times New Roman, 宋体 for Chinese) and
    size; no run of the tables sets a font of its own (the office edits the styles, not 10,000 runs)."""
    from docx.shared import Pt

    doc = _docx(client)
    table = doc.tables[2]
    header, first = table.rows[0].cells[0].paragraphs[0], table.rows[1].cells[1].paragraphs[0]
    assert header.style.font.size == Pt(7.5) and header.style.font.bold
    assert first.style.font.size == Pt(8) and first.style.paragraph_format.alignment == 1  # centred
    for style in (header.style, first.style, doc.styles["Normal"]):
        fonts = style.element.rPr.find(qn("w:rFonts"))
        if style is doc.styles["Normal"]:
            assert fonts.get(qn("w:ascii")) == "Times New Roman" and fonts.get(qn("w:eastAsia")) == "宋体"
        else:  # inherited from Normal, or its own
            assert style.base_style == doc.styles["Normal"] or fonts is not None
    runs = [r for t in doc.tables for row in t.rows for cell in row.cells for p in cell.paragraphs for r in p.runs]
    assert runs and all(r.element.rPr is None for r in runs)
    masthead = next(p for p in doc.paragraphs if p.text == "昆山信用体系建设")
    assert masthead.style.font.size == Pt(26) and masthead.style.font.color.rgb == (0xC0, 0x00, 0x00)
