"""The PDF of an issue: WeasyPrint, in parts of bounded size, joined with pypdf.

Why parts: WeasyPrint keeps the layout of every page in memory until it writes the file, about
8 MB a page of progress table, and its time grows a little faster than the rows; a province issue
(2,000 units, ~60 pages) peaked at 670 MB in one piece. So the issue is cut into a sequence of
items — the front (masthead, articles, cases, news), every table row, each table's notes, the
foot — and laid out ROWS_PER_PART items at a time, each part its own WeasyPrint document,
numbered on from the pages before it (`@page :first { counter-reset: page N }`).

A part's last page is usually not full: it is dropped and its items begin the next part, so the
pages come out as one document would lay them out (the header row repeated on every page, no
half-empty page between parts). Which items a page holds is read from the page's anchors (the
ids of the rows and of the notes); a row never breaks across pages (break-inside: avoid), the
front and notes may, so the next part starts at the page where the last of those began.
An issue of up to ROWS_PER_PART rows (the city's 70 units) is one part: the whole bulletin.

The tables are laid out with fixed column widths (`column_widths`), computed here once from all
the rows of a table: WeasyPrint's automatic table layout measures every cell twice more (a
quarter of the time) and would size the columns of each part from its own rows, so a table's
columns would move from part to part.
"""

import gc
import io
import unicodedata
from dataclasses import dataclass, field

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from . import snapshot

STYLESHEET = "css/bulletin-pdf.css"
# ~5 pages of the widest table: a province issue (2,000 units) peaks under 300 MB; each part costs a
# page laid out twice (the dropped last page) and its own copy of the fonts it uses (~300 KB of the file).
ROWS_PER_PART = 200

FRONT, ROW, NOTES, FOOT = "front", "row", "notes", "foot"

# As in css/bulletin-pdf.css: the text width of an A4 page less its margins, the tables' font sizes
# (cells 7.5pt, header 7pt), a cell's padding and border; in mm.
TEXT_WIDTH = 210 - 2 * 18
CELL_EM, HEAD_EM = 7.5 * 25.4 / 72, 7 * 25.4 / 72
CELL_EDGES = 2 * 0.8 + 0.5 * 25.4 / 72
DEDUCTION_MIN = 8  # .deduction-col { min-width: 8mm }


@dataclass
class Item:
    kind: str
    table: int | None = None  # index in bulletin.tables (rows and notes)
    row: int | None = None
    anchor: str | None = None  # the id it prints, to find its page; None: the front, the foot, no notes

    @property
    def may_break(self):
        """Whether it can run over a page break (a row cannot; notes none printed are nothing)."""
        return self.kind == FRONT or (self.kind == NOTES and self.anchor is not None)


@dataclass
class TablePart:
    """Some rows of a table, with its notes when they fall in this part; read by progress_table.html."""

    table: snapshot.TableView
    rows: list = field(default_factory=list)
    continued: bool = False
    with_notes: bool = False

    def __getattr__(self, name):  # category, indicators, header: the table's own
        return getattr(self.table, name)

    @property
    def notes(self):
        return self.table.notes if self.with_notes else []

    @property
    def notes_only(self):
        return not self.rows


@dataclass
class Part:
    front: bool = False
    footer: bool = False
    tables: list = field(default_factory=list)


def items(bulletin):
    """The issue as the sequence the parts are cut from."""
    sequence = [Item(FRONT)]
    for t, table in enumerate(bulletin.tables):
        slug = table.category.slug
        sequence += [Item(ROW, t, r, f"unit-{slug}-{row.unit.pk}") for r, row in enumerate(table.rows)]
        sequence.append(Item(NOTES, t, anchor=f"notes-{slug}" if table.notes else None))
    sequence.append(Item(FOOT))
    return sequence


def part_of(bulletin, chosen):
    """The Part that prints `chosen` (consecutive items)."""
    part = Part()
    by_table = {}
    for item in chosen:
        if item.kind == FRONT:
            part.front = True
        elif item.kind == FOOT:
            part.footer = True
        elif item.kind == ROW or item.anchor is not None:  # notes none printed: nothing to print
            if item.table not in by_table:
                by_table[item.table] = TablePart(bulletin.tables[item.table])
                part.tables.append(by_table[item.table])
            piece = by_table[item.table]
            if item.kind == ROW:
                piece.continued = piece.continued or (not piece.rows and item.row > 0)
                piece.rows.append(piece.table.rows[item.row])
            else:
                piece.with_notes = True
    return part


def next_start(sequence, start, end, pages):
    """Where the part after items [start, end) begins: the items from the last page on, or `end`.

    Returns (first item of the next part, number of this part's pages to keep).
    """
    on_page = {anchor: number for number, page in enumerate(pages) for anchor in page.anchors}

    def page_of(index):  # an item without an anchor starts where the next one with an anchor does
        if sequence[index].kind == FRONT:
            return 0
        for item in sequence[index:end]:
            if item.anchor in on_page:
                return on_page[item.anchor]
        return len(pages) - 1

    cut = len(pages) - 1
    while cut > 0:
        first = next((i for i in range(start, end) if page_of(i) >= cut), end)
        if first == start:
            break
        if not sequence[first - 1].may_break:  # the item before ends on an earlier page: a clean cut
            return first, cut
        cut = page_of(first - 1)  # the front or notes may run onto the cut page: go back to where it began
    return end, len(pages)  # no clean cut (a part of one page): keep it whole


def _ems(text):
    """The width of a line of text in em: CJK and full-width characters 1, others about half."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in str(text))


def column_widths(table):
    """Each column's width (mm, padding and border included) for table-layout: fixed, as the automatic
    layout would share the page's width.

    A cell never wraps (white-space: nowrap), so the widest one is a column's least width; the header
    wraps anywhere in Chinese except its points, "(0.4分)"; what is left goes to the columns whose
    header is wider than their least width, as CSS 2.1's automatic table layout does.
    """
    columns = [[table.category.name], *([i.title] for i in table.indicators), ["扣分情况"]]
    least_head = [0, *(_ems(i.points_label) for i in table.indicators), DEDUCTION_MIN / HEAD_EM]
    for row in table.rows:
        for column, text in zip(columns, [row.unit.name, *row.values, row.deduction_text], strict=True):
            column.append(text)
    least, most = [], []
    for column, head in zip(columns, least_head, strict=True):
        cells = max((_ems(text) for text in column[1:]), default=0) * CELL_EM
        least.append(max(cells, head * HEAD_EM) * 1.05 + CELL_EDGES)
        most.append(max(least[-1], _ems(column[0]) * HEAD_EM + CELL_EDGES))
    spare, wanted = TEXT_WIDTH - sum(least), sum(most) - sum(least)
    if spare <= 0 or wanted <= 0:
        widths = [w + max(spare, 0) / len(least) for w in least]
    elif spare < wanted:
        widths = [lo + spare * (hi - lo) / wanted for lo, hi in zip(least, most, strict=True)]
    else:  # room for every header on its own line: the rest in proportion
        widths = [hi * TEXT_WIDTH / sum(most) for hi in most]
    return [w * TEXT_WIDTH / sum(widths) for w in widths]


def table_css(bulletin):
    """The fixed column widths of every table, as a stylesheet for this issue's PDF."""
    rules = []
    for table in bulletin.tables:
        scope = f'.progress-table[data-category="{table.category.slug}"]'
        rules.append(f"{scope} {{ table-layout: fixed; }}")
        for n, width in enumerate(column_widths(table), start=1):  # CSS widths leave out padding and border
            rules.append(f"{scope} thead th:nth-child({n}) {{ width: {width - CELL_EDGES:.2f}mm; }}")
    return "\n".join(rules)


def render_pdf(data, version=None, rows_per_part=None):
    """The issue as PDF bytes, laid out `rows_per_part` items at a time (default ROWS_PER_PART)."""
    from weasyprint import CSS, HTML  # imported here: it loads Pango, which only the download needs

    rows_per_part = rows_per_part or ROWS_PER_PART
    bulletin = snapshot.present(data)
    sequence = items(bulletin)
    stylesheets = [CSS(filename=finders.find(STYLESHEET)), CSS(string=table_css(bulletin))]
    parts, start, pages_before = [], 0, 0
    while start < len(sequence):
        end = min(len(sequence), start + rows_per_part)
        if len(sequence) - end < rows_per_part // 4:  # no short part at the end
            end = len(sequence)
        part = part_of(bulletin, sequence[start:end])
        html = render_to_string("bulletins/issue_pdf.html", {"bulletin": bulletin, "version": version, "part": part})
        numbering = CSS(string=f"@page :first {{ counter-reset: page {pages_before + 1} }}")
        document = HTML(string=html).render(stylesheets=[*stylesheets, numbering])
        start, keep = (
            (end, len(document.pages)) if end == len(sequence) else next_start(sequence, start, end, document.pages)
        )
        parts.append(document.copy(document.pages[:keep]).write_pdf())
        pages_before += keep
        del document
        gc.collect()  # the layout of a part is a large cyclic graph: free it before the next part
    return parts[0] if len(parts) == 1 else join(parts)


def join(parts):
    """One PDF of the parts' pages, with the first part's title and author.

    Joined after the last part is made, not as they come: pypdf's copy of a part is several times its
    size in memory, and WeasyPrint's own peak (while it writes a part) comes on top of what is held.
    """
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for number, content in enumerate(parts):
        reader = PdfReader(io.BytesIO(content))
        if number == 0:
            writer.add_metadata(dict(reader.metadata or {}))
        writer.append(reader)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
