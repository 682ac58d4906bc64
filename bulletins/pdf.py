"""The PDF of an issue: Typst (templates/bulletins/issue_pdf.typ), in parts of bounded size, joined with pypdf.

Why Typst: WeasyPrint, which laid out the page's own HTML before, took about 0.7 ms of CPU a table cell
with no hot spot to cut; a province issue (2,000 units, ~22,000 cells) took 33 s. Typst sets the same
pages in about a tenth of that. What the PDF prints is what the page prints: both read the snapshot
through bulletins.snapshot.present, and the tests read every line and cell back from the PDF.

Why parts: Typst keeps every laid-out cell in a memo cache for the life of the process (~0.12 MB a
table row), so the issue is cut into a sequence of items — the front (masthead, articles, cases,
news), every table row, each table's notes, the foot — and typeset ROWS_PER_PART items at a time,
each part in a process of its own (bulletins/typeset.py), numbered on from the pages before it.

A part's last page is usually not full: it is dropped and its items begin the next part, so the
pages come out as one document would lay them out (the header row repeated on every page, no
half-empty page between parts). Which page an item begins on is told by the part itself: each item
steps a counter where it begins and every page's header records the count (`<kc-page>`). A row never
breaks across pages, the front and notes may, so the next part starts where the last of those began.
An issue of up to ROWS_PER_PART items (the city's 70 units) is one part.

The tables are laid out with fixed column widths (`column_widths`), computed here once from all the
rows of a table, so a table's columns never move from part to part.
"""

import io
import json
import math
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from core.office.models import MASTHEAD_FOOT

from . import snapshot

TEMPLATE = Path(settings.BASE_DIR) / "templates" / "bulletins" / "issue_pdf.typ"
TYPESET = Path(__file__).with_name("typeset.py")
# A part's process peaks at ~80 MB (the two serif fonts) + ~0.12 MB a row; each part costs a page laid
# out twice (the dropped last page) and a process start (~0.1 s).
ROWS_PER_PART = 400

FRONT, ROW, NOTES, FOOT = "front", "row", "notes", "foot"

# As in the template: the text width of an A4 page less its margins, the tables' font sizes (cells
# 7.5pt, header 7pt), a cell's padding and border; in mm.
TEXT_WIDTH = 210 - 2 * 18
CELL_EM, HEAD_EM = 7.5 * 25.4 / 72, 7 * 25.4 / 72
CELL_EDGES = 2 * 0.8 + 0.5 * 25.4 / 72
DEDUCTION_MIN = 8  # the deduction column is at least 8mm wide


class TypesetError(RuntimeError):
    """Typst could not make a part (its message is in the exception)."""


@dataclass
class Item:
    kind: str
    table: int | None = None  # index in bulletin.tables (rows and notes)
    row: int | None = None
    notes: bool = False  # a notes item that prints notes

    @property
    def may_break(self):
        """Whether it can run over a page break (a row cannot; notes none printed are nothing)."""
        return self.kind == FRONT or self.notes


def items(bulletin):
    """The issue as the sequence the parts are cut from."""
    sequence = [Item(FRONT)]
    for t, table in enumerate(bulletin.tables):
        sequence += [Item(ROW, t, r) for r in range(len(table.rows))]
        sequence.append(Item(NOTES, t, notes=bool(table.notes)))
    sequence.append(Item(FOOT))
    return sequence


def front_data(bulletin, version):
    correction = None
    if version is not None and version.is_correction:
        when = timezone.localtime(version.published_at).strftime("%Y年%-m月%-d日 %H:%M")
        correction = f"本期已于 {when} 更正（第{version.number}版）。更正原因：{version.reason}"
    return {
        "series_title": bulletin.series_title,
        "number": bulletin.number,
        "year_label": bulletin.year_label,
        "subtitle": bulletin.subtitle,
        "issuer": bulletin.issuer,
        "date": f"{bulletin.date.year} 年 {bulletin.date.month} 月 {bulletin.date.day} 日",
        "correction": correction,
        "articles": [{"title": a.title, "blocks": a.blocks} for a in bulletin.articles],
        "cases": [
            {"title": c.printed_title, "subtitle": c.subtitle or "", "paragraphs": c.paragraphs}
            | {"source": c.source_label}
            for c in bulletin.cases
        ],
        "news": [{"text": n.text, "source": n.source or ""} for n in bulletin.news],
    }


def foot_data(bulletin):
    return {name: getattr(bulletin, name) or "" for name in MASTHEAD_FOOT}


def part_data(bulletin, version, chosen, widths, first_page):
    """What the template prints for `chosen` (consecutive items), as a dict for JSON."""
    data = {
        "title": bulletin.title,
        "author": bulletin.issuer,
        "first_page": first_page,
        "draft": version is None and chosen[0].kind == FRONT,
        "front": None,
        "progress_title": False,
        "tables": [],
        "foot": None,
    }
    current = None
    for item in chosen:
        if item.kind == FRONT:
            data["front"] = front_data(bulletin, version)
        elif item.kind == FOOT:
            data["foot"] = foot_data(bulletin)
        else:
            table = bulletin.tables[item.table]
            if current is None or current["index"] != item.table:
                first_of_table = item.row == 0 or (item.kind == NOTES and not table.rows)
                data["progress_title"] = data["progress_title"] or (item.table == 0 and first_of_table)
                current = {
                    "index": item.table,
                    "widths": widths[item.table],
                    "head": [
                        [table.category.name, ""],
                        *([i.title, i.points_label] for i in table.indicators),
                        ["扣分情况", ""],
                    ],
                    "rows": [],
                    "continued": not first_of_table,
                    "notes": None,  # None: the notes item is not in this part
                }
                data["tables"].append(current)
            if item.kind == ROW:
                row = table.rows[item.row]
                current["rows"].append([row.unit.name, *row.values, row.deduction_text or ""])
            else:
                current["notes"] = [[n.number, n.text] for n in table.notes]
    return data


def typeset(data):
    """(PDF bytes, items begun before each page) of one part, from bulletins/typeset.py in its own process."""
    issue = json.dumps(data, ensure_ascii=False)
    request = {"template": str(TEMPLATE), "fonts": settings.PDF_FONT_PATHS, "issue": issue}
    done = subprocess.run(
        [sys.executable, str(TYPESET)], input=json.dumps(request).encode(), capture_output=True, check=False
    )
    if done.returncode:
        raise TypesetError(done.stderr.decode(errors="replace").strip() or f"typeset exited with {done.returncode}")
    head, content = done.stdout.split(b"\n", 1)
    return content, json.loads(head)["pages"]


def next_start(sequence, start, end, begun):
    """Where the part after items [start, end) begins: the items from the last page on, or `end`.

    `begun`: how many of the part's items began before each of its pages.
    Returns (first item of the next part, number of this part's pages to keep), or None when no page
    of the part ends cleanly (its items run from its first page over every break).
    """

    def page_of(index):  # the last page before which no more than this item's predecessors began
        return max(p for p, count in enumerate(begun) if count <= index - start)

    cut = len(begun) - 1
    while cut > 0:
        first = next((i for i in range(start, end) if page_of(i) >= cut), end)
        if first == start:
            break
        if not sequence[first - 1].may_break:  # the item before ends on an earlier page: a clean cut
            return first, cut
        cut = page_of(first - 1)  # the front or notes may run onto the cut page: go back to where it began
    return None


def _ems(text):
    """The width of a line of text in em: CJK and full-width characters 1, others about half."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in str(text))


def column_widths(table):
    """Each column's width (mm, padding and border included), as an automatic table layout would share
    the page's width.

    A cell never wraps (before the close), so the widest one is a column's least width; the header wraps anywhere in
    Chinese except its points, "(0.4分)"; what is left goes to the columns whose header is wider than
    their least width, as CSS 2.1's automatic table layout does. 扣分情况 is the exception: its text (written
    at the year end, a sentence a deduction) wraps within the width the other columns leave (at least
    DEDUCTION_MIN), so that it never squeezes them below their cells (非考核项 one character a line).
    """
    columns = [[table.category.name], *([i.title] for i in table.indicators), ["扣分情况"]]
    least_head = [0, *(_ems(i.points_label) for i in table.indicators), DEDUCTION_MIN / HEAD_EM]
    for row in table.rows:
        for column, text in zip(columns, [row.unit.name, *row.values, row.deduction_text], strict=True):
            column.append(text)
    # Once 扣分情况 is written, a cell of the other columns may take two lines (已说明/情况) to leave it room.
    lines = 2 if any(columns[-1][1:]) else 1
    least, most = [], []
    for i, (column, head) in enumerate(zip(columns, least_head, strict=True)):
        longest = max((_ems(text) for text in column[1:]), default=0) * CELL_EM
        cells = longest if i == 0 or lines == 1 else math.ceil(longest / CELL_EM / lines) * CELL_EM
        if column is columns[-1]:  # 扣分情况 wraps within what the other columns leave
            cells = min(longest, max((TEXT_WIDTH - sum(least) - CELL_EDGES) / 1.05, 0))
        least.append(max(cells, head * HEAD_EM) * 1.05 + CELL_EDGES)
        most.append(max(least[-1], longest * 1.05 + CELL_EDGES, _ems(column[0]) * HEAD_EM + CELL_EDGES))
    spare, wanted = TEXT_WIDTH - sum(least), sum(most) - sum(least)
    if spare <= 0 or wanted <= 0:
        widths = [w + max(spare, 0) / len(least) for w in least]
    elif spare < wanted:
        widths = [lo + spare * (hi - lo) / wanted for lo, hi in zip(least, most, strict=True)]
    else:  # room for every header on its own line: the rest in proportion
        widths = [hi * TEXT_WIDTH / sum(most) for hi in most]
    return [round(w * TEXT_WIDTH / sum(widths), 3) for w in widths]


def render_pdf(data, version=None, rows_per_part=None):
    """The issue as PDF bytes, typeset `rows_per_part` items at a time (default ROWS_PER_PART)."""
    rows_per_part = rows_per_part or ROWS_PER_PART
    bulletin = snapshot.present(data)
    sequence = items(bulletin)
    widths = [column_widths(table) for table in bulletin.tables]
    parts, start, pages_before, size = [], 0, 0, rows_per_part
    while start < len(sequence):
        end = min(len(sequence), start + size)
        if len(sequence) - end < rows_per_part // 4:  # no short part at the end
            end = len(sequence)
        content, begun = typeset(part_data(bulletin, version, sequence[start:end], widths, pages_before + 1))
        cut = (end, len(begun)) if end == len(sequence) else next_start(sequence, start, end, begun)
        if cut is None:  # keeping it whole would leave a half-empty page: the same items and more, again
            size *= 2
            continue
        start, keep = cut
        parts.append((content, keep))
        pages_before += keep
        size = rows_per_part
    return parts[0][0] if len(parts) == 1 else join(parts)


def join(parts):
    """One PDF of the parts' kept pages [(bytes, pages to keep)], with the first part's title and author."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for number, (content, keep) in enumerate(parts):
        reader = PdfReader(io.BytesIO(content))
        if number == 0:
            writer.add_metadata(dict(reader.metadata or {}))
        writer.append(reader, pages=(0, keep))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
