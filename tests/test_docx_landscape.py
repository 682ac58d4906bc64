"""The Word export turns the wide 部门 table into a landscape section of its own; the rest stays portrait."""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

URL = "/bulletins/2019/11/issue.docx"


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
    doc = Document(io.BytesIO(b"".join(client.get(URL).streaming_content)))
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
