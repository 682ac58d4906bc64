"""An issue as Word (python-docx), from the issue's snapshot (see bulletins.documents).

The same content as the page and the PDF, with real Word tables, for offices that edit before
forwarding.
"""

import io

from django.utils import timezone

from core.office.models import MASTHEAD_FOOT

from . import snapshot, word_rows
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


class _Styles:
    """The document's paragraph styles, one per look (size, bold, colour, East Asian font, alignment, indent,
    spacing), each made once: paragraphs and table cells name a style and their runs carry no fonts of their
    own. Setting the fonts run by run was most of the time of a province's tables (one run per cell)."""

    def __init__(self, doc):
        self.doc, self.made = doc, {}

    def get(self, size=None, bold=None, color=None, font="宋体", align=None, indent=False, space_after=4):
        key = (size, bold, color, font, align, indent, space_after)
        style = self.made.get(key)
        if style is None:
            from docx.enum.style import WD_STYLE_TYPE
            from docx.enum.text import WD_ALIGN_PARAGRAPH
            from docx.shared import Pt

            style = self.doc.styles.add_style(f"工作信息{len(self.made) + 1}", WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = self.doc.styles["Normal"]
            style.quick_style = False
            _set_fonts(style, size=size, bold=bold, color=color, east_asia=font)
            fmt = style.paragraph_format
            fmt.space_after = Pt(space_after)
            if align:
                fmt.alignment = getattr(WD_ALIGN_PARAGRAPH, align)
            if indent:
                fmt.first_line_indent = Pt(2 * (size or 12))
            self.made[key] = style
        return style


def _para(doc, text="", *, styles, **look):
    """A paragraph of `text` in the style of its look (see _Styles.get)."""
    paragraph = doc.add_paragraph(style=styles.get(**look))
    if text:
        paragraph.add_run(text)
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


def _header_row(tr, values, style_id):
    """The header row python-docx made (its cells' widths): each cell one paragraph of the header's style with
    one run of text, the markup of the body rows (bulletins.word_rows.row_xml)."""
    from docx.oxml.ns import qn
    from lxml.etree import SubElement

    ppr, pstyle, val, run, text, space = qn("w:pPr"), qn("w:pStyle"), qn("w:val"), qn("w:r"), qn("w:t"), qn("xml:space")
    for tc, value in zip(tr.tc_lst, values, strict=True):
        p = tc[-1]  # its cell's properties, then its empty paragraph
        SubElement(SubElement(p, ppr), pstyle).set(val, style_id)
        t = SubElement(SubElement(p, run), text)
        t.text = value
        if value != value.strip():
            t.set(space, "preserve")


def _table(doc, table, styles, bodies):
    """The table with its header row; its body rows are left to bulletins.word_rows (a mark where they go, and
    their texts and styles appended to `bodies`): at 20,000 rows they are too many for lxml's tree."""
    from docx.enum.table import WD_TABLE_ALIGNMENT

    header = [table.category.name, *[f"{i.title} {i.points_label}" for i in table.indicators], table.header[-1]]
    word = doc.add_table(rows=1, cols=len(header))
    word.style = "Table Grid"
    word.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_header(word.rows[0])
    head = styles.get(size=7.5, bold=True, align="CENTER", space_after=0).style_id
    unit = styles.get(size=8, space_after=0).style_id
    value = styles.get(size=8, align="CENTER", space_after=0).style_id
    _header_row(word._tbl.tr_lst[0], header, head)
    word_rows.mark(word._tbl, len(bodies))
    rows = ([row["unit"], *row["values"], row["deduction_text"]] for row in table.data["rows"])
    bodies.append((rows, [unit] + [value] * (len(header) - 1)))
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
    """The issue as .docx bytes: masthead, sections, real tables with a repeating header row, footer.

    python-docx makes all but the tables' body rows, which bulletins.word_rows writes into the saved file."""
    from docx import Document
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    bulletin = snapshot.present(data, page_rows=0)  # the tables' rows are read from their data
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin, section.bottom_margin = Mm(22), Mm(20)
    _set_fonts(doc.styles["Normal"], size=12)
    styles, bodies = _Styles(doc), []

    def para(text="", **look):
        return _para(doc, text, styles=styles, **look)

    _page_number(section.footer.paragraphs[0])
    section.footer.paragraphs[0].alignment = 1
    doc.core_properties.title = bulletin.title
    doc.core_properties.author = bulletin.issuer

    if version is None:
        para("未发布的草稿，仅供审阅", size=10.5, align="CENTER")
    para(bulletin.series_title, size=26, bold=True, color=RED, align="CENTER", space_after=2)
    para(f"第 {bulletin.number} 期", size=12, align="CENTER", space_after=0)
    para(bulletin.year_label, size=12, align="CENTER", space_after=0)
    para(bulletin.subtitle, size=20, bold=True, color=RED, align="CENTER", space_after=6)
    rule = para(space_after=12)
    rule.paragraph_format.tab_stops.add_tab_stop(Mm(174), WD_TAB_ALIGNMENT.RIGHT)
    rule.add_run(f"{bulletin.issuer}\t{bulletin.date.year} 年 {bulletin.date.month} 月 {bulletin.date.day} 日")
    _bottom_border(rule)
    if version is not None and version.is_correction:
        when = timezone.localtime(version.published_at).strftime("%Y年%-m月%-d日 %H:%M")
        para(f"本期已于 {when} 更正（第{version.number}版）。更正原因：{version.reason}", size=10.5, color=RED)

    def heading(text):
        para(text, size=15, bold=True, color=RED, space_after=6)

    if bulletin.articles:
        heading("【工作推进】")
        for article in bulletin.articles:
            para(article.title, size=15, bold=True, align="CENTER", space_after=8)
            for is_heading, text in article.blocks:
                para(text, size=12, bold=is_heading or None, indent=not is_heading)
    if bulletin.cases:
        heading("【奖惩案例】")
        for case in bulletin.cases:
            para(case.printed_title, size=15, bold=True, align="CENTER", space_after=2)
            if case.subtitle:
                para(case.subtitle, size=13, align="CENTER", space_after=8)
            for text in case.paragraphs:
                para(text, size=12, indent=True)
            para(f"（{case.source_label}）", size=12, align="RIGHT")
    if bulletin.news:
        heading("【工作简讯】")
        for item in bulletin.news:
            para(f"● {item.text}", size=12)
            if item.source:
                para(f"（{item.source}）", size=12, align="RIGHT")
    if bulletin.tables:
        heading("【工作进展通报】")
        for table in bulletin.tables:
            wide = _columns(table) > PORTRAIT_COLUMNS
            if wide:
                _section(doc, landscape=True)
            _table(doc, table, styles, bodies)
            if table.notes:
                para("说明:", size=10.5, bold=True, space_after=2).paragraph_format.space_before = Pt(6)
                for note in table.notes:
                    para(f"{note.number}. {note.text}", size=10.5, space_after=1)
            para(space_after=6)
            if wide:
                _section(doc, landscape=False)
    footer = para(space_after=2)
    footer.paragraph_format.space_before = Pt(18)
    _bottom_border(footer, size=12)
    for name in MASTHEAD_FOOT:
        # The printed label is the field's own name: 报, 送, 编辑, 电子邮件, 审核, 电话（传真）.
        label, value = f"{Issue._meta.get_field(name).verbose_name}：", getattr(bulletin, name)
        if value:
            paragraph = para(space_after=1, size=10.5)
            paragraph.add_run(label).bold = True
            paragraph.add_run(value)
    skeleton = io.BytesIO()
    doc.save(skeleton)
    return word_rows.fill(skeleton.getvalue(), bodies)
