"""An issue as Word (python-docx), from the issue's snapshot (see bulletins.documents).

The same content as the page and the PDF, with real Word tables, for offices that edit before
forwarding.
"""

import io

from django.utils import timezone

from core.office.models import MASTHEAD_FOOT

from . import snapshot
from .models import Issue

RED = (0xC0, 0x00, 0x00)


def _set_fonts(run_or_style, size=None, bold=None, color=None, east_asia="宋体"):
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    font = run_or_style.font
    font.name = "Times New Roman"
    element = run_or_style.element if hasattr(run_or_style, "element") else run_or_style._element
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if color:
        font.color.rgb = RGBColor(*color)


def _para(doc, text="", *, size=None, bold=None, color=None, align=None, indent=False, space_after=4, font="宋体"):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = doc.add_paragraph()
    if align:
        paragraph.alignment = getattr(WD_ALIGN_PARAGRAPH, align)
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(space_after)
    if indent:
        fmt.first_line_indent = Pt(2 * (size or 12))
    if text:
        _set_fonts(paragraph.add_run(text), size=size, bold=bold, color=color, east_asia=font)
    return paragraph


def _bottom_border(paragraph, color="C00000", size=18):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", str(size)), ("space", "1"), ("color", color)):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    ppr.append(borders)


def _repeat_header(row):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def _page_number(paragraph):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for text in ("— ",):
        paragraph.add_run(text)
    run = paragraph.add_run()
    begin, instr, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr.set(qn("xml:space"), "preserve")
    instr.text = "PAGE"
    end.set(qn("w:fldCharType"), "end")
    run._r.extend([begin, instr, end])
    paragraph.add_run(" —")


def _table(doc, table):
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    rows = table.data["rows"]
    header = [table.category.name, *[f"{i.title} {i.points_label}" for i in table.indicators], table.header[-1]]
    word = doc.add_table(rows=1 + len(rows), cols=len(header))
    word.style = "Table Grid"
    word.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_header(word.rows[0])
    for index, text in enumerate(header):
        cell = word.rows[0].cells[index]
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        _set_fonts(run, size=7.5, bold=True)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row_cells, row in zip(word.rows[1:], rows, strict=True):
        values = [row["unit"], *row["values"], row["deduction_text"]]
        for index, (cell, value) in enumerate(zip(row_cells.cells, values, strict=True)):
            paragraph = cell.paragraphs[0]
            _set_fonts(paragraph.add_run(value), size=8)
            if index:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return word


# A table with more columns than this (the 部门 table: unit, 11 columns, 扣分情况) is cramped on a portrait
# A4 page: it gets a landscape section of its own.
PORTRAIT_COLUMNS = 9


def _columns(table):
    return 2 + len(table.indicators)


def _section(doc, *, landscape):
    """A new section on a new page, A4 landscape or portrait; the page-number footer carries on."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Mm

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long, short = Mm(297), Mm(210)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    return section


def render_docx(data, version=None):
    """The issue as .docx bytes: masthead, sections, real tables with a repeating header row, footer."""
    from docx import Document
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    bulletin = snapshot.present(data)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin, section.bottom_margin = Mm(22), Mm(20)
    _set_fonts(doc.styles["Normal"], size=12)
    _page_number(section.footer.paragraphs[0])
    section.footer.paragraphs[0].alignment = 1
    doc.core_properties.title = bulletin.title
    doc.core_properties.author = bulletin.issuer

    if version is None:
        _para(doc, "未发布的草稿，仅供审阅", size=10.5, align="CENTER")
    _para(doc, bulletin.series_title, size=26, bold=True, color=RED, align="CENTER", space_after=2)
    _para(doc, f"第 {bulletin.number} 期", size=12, align="CENTER", space_after=0)
    _para(doc, bulletin.year_label, size=12, align="CENTER", space_after=0)
    _para(doc, bulletin.subtitle, size=20, bold=True, color=RED, align="CENTER", space_after=6)
    rule = _para(doc, space_after=12)
    rule.paragraph_format.tab_stops.add_tab_stop(Mm(174), WD_TAB_ALIGNMENT.RIGHT)
    _set_fonts(
        rule.add_run(f"{bulletin.issuer}\t{bulletin.date.year} 年 {bulletin.date.month} 月 {bulletin.date.day} 日")
    )
    _bottom_border(rule)
    if version is not None and version.is_correction:
        when = timezone.localtime(version.published_at).strftime("%Y年%-m月%-d日 %H:%M")
        _para(doc, f"本期已于 {when} 更正（第{version.number}版）。更正原因：{version.reason}", size=10.5, color=RED)

    def heading(text):
        _para(doc, text, size=15, bold=True, color=RED, space_after=6)

    if bulletin.articles:
        heading("【工作推进】")
        for article in bulletin.articles:
            _para(doc, article.title, size=15, bold=True, align="CENTER", space_after=8)
            for is_heading, text in article.blocks:
                _para(doc, text, size=12, bold=is_heading or None, indent=not is_heading)
    if bulletin.cases:
        heading("【奖惩案例】")
        for case in bulletin.cases:
            _para(doc, case.printed_title, size=15, bold=True, align="CENTER", space_after=2)
            if case.subtitle:
                _para(doc, case.subtitle, size=13, align="CENTER", space_after=8)
            for text in case.paragraphs:
                _para(doc, text, size=12, indent=True)
            _para(doc, f"（{case.source_label}）", size=12, align="RIGHT")
    if bulletin.news:
        heading("【工作简讯】")
        for item in bulletin.news:
            _para(doc, f"● {item.text}", size=12)
            if item.source:
                _para(doc, f"（{item.source}）", size=12, align="RIGHT")
    if bulletin.tables:
        heading("【工作进展通报】")
        for table in bulletin.tables:
            wide = _columns(table) > PORTRAIT_COLUMNS
            if wide:
                _section(doc, landscape=True)
            _table(doc, table)
            if table.notes:
                _para(doc, "说明:", size=10.5, bold=True, space_after=2).paragraph_format.space_before = Pt(6)
                for note in table.notes:
                    _para(doc, f"{note.number}. {note.text}", size=10.5, space_after=1)
            _para(doc, space_after=6)
            if wide:
                _section(doc, landscape=False)
    footer = _para(doc, space_after=2)
    footer.paragraph_format.space_before = Pt(18)
    _bottom_border(footer, size=12)
    for name in MASTHEAD_FOOT:
        # The printed label is the field's own name: 报, 送, 编辑, 电子邮件, 审核, 电话（传真）.
        label, value = f"{Issue._meta.get_field(name).verbose_name}：", getattr(bulletin, name)
        if value:
            paragraph = _para(doc, space_after=1)
            _set_fonts(paragraph.add_run(label), size=10.5, bold=True)
            _set_fonts(paragraph.add_run(value), size=10.5)
    stream = io.BytesIO()
    doc.save(stream)
    return stream.getvalue()
