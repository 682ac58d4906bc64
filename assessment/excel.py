"""The one Excel writer of the portal (openpyxl, write-only so rows stream to disk).

Every workbook the portal hands out — progress tables, rankings, case tables — goes
through `write_workbook`, so they all look alike and print alike.
"""

import datetime
import io
import tempfile
import zipfile
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.constants import ARC_CORE
from openpyxl.xml.functions import tostring

from .downloads import download_response

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_thin = Side(style="thin", color="000000")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_TITLE_FONT = Font(name="宋体", size=14, bold=True)
_HEADER_FONT = Font(name="宋体", size=10, bold=True)
_BODY_FONT = Font(name="宋体", size=10)
_WRAP_CENTER = Alignment(wrap_text=True, horizontal="center", vertical="center")
_WRAP_LEFT = Alignment(wrap_text=True, horizontal="left", vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center")


@dataclass
class Sheet:
    """A titled table: one header row, data rows, and optional notes printed below."""

    name: str
    title: str
    header: list
    rows: object  # an iterable of row value lists; may be a generator
    notes: list = field(default_factory=list)
    notes_heading: str = "说明:"
    widths: list = field(default_factory=list)  # characters per column; guessed when empty


def _guess_widths(header):
    widths = []
    for index, text in enumerate(header):
        if index == 0:
            widths.append(22)
        else:
            # Long printed headers wrap; keep columns narrow enough for A4 landscape.
            widths.append(max(8, min(16, len(str(text)) // 3 + 4)))
    return widths


def _cell(ws, value, font, alignment, border=True):
    cell = WriteOnlyCell(ws, value=value)
    cell.font = font
    cell.alignment = alignment
    if border:
        cell.border = _BORDER
    return cell


class _StyledRow:
    """One styled cell per column, reused for every row.

    A write-only sheet writes a row out as soon as it is appended, so the cells can be filled
    with the next row's values afterwards: the styles are set once per sheet, not once per
    cell, and a row costs what a row of plain values costs (memory flat in the rows).
    """

    def __init__(self, ws, styles):
        self.ws, self.styles = ws, styles
        self.cells = [_cell(ws, None, font, alignment) for font, alignment in styles]

    def append(self, values):
        values = list(values)
        if len(values) != len(self.cells):  # a row wider or narrower than the header: style it cell by cell
            last = self.styles[-1]
            styles = [self.styles[i] if i < len(self.styles) else last for i in range(len(values))]
            self.ws.append(
                [_cell(self.ws, v, font, alignment) for v, (font, alignment) in zip(values, styles, strict=True)]
            )
            return
        for cell, value in zip(self.cells, values, strict=True):
            cell.value = value
        self.ws.append(self.cells)


def _write_sheet(wb, sheet):
    ws = wb.create_sheet(title=sheet.name[:31])
    ncols = len(sheet.header)
    widths = sheet.widths or _guess_widths(sheet.header)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    last = get_column_letter(ncols)
    ws.freeze_panes = "B3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.merged_cells.add(f"A1:{last}1")
    ws.row_dimensions[1].height = 28
    ws.append([_cell(ws, sheet.title, _TITLE_FONT, _CENTER, border=False)])
    ws.row_dimensions[2].height = 90
    ws.append([_cell(ws, text, _HEADER_FONT, _WRAP_CENTER) for text in sheet.header])
    row_number = 2
    body = _StyledRow(ws, [(_BODY_FONT, _WRAP_LEFT)] + [(_BODY_FONT, _CENTER)] * (ncols - 1))
    for values in sheet.rows:
        row_number += 1
        body.append(values)
    if sheet.notes:
        row_number += 2
        ws.append([])
        ws.append([_cell(ws, sheet.notes_heading, _HEADER_FONT, _WRAP_LEFT, border=False)])
        for note in sheet.notes:
            row_number += 1
            ws.merged_cells.add(f"A{row_number}:{last}{row_number}")
            # Roughly one printed line per 60 characters across the merged width.
            ws.row_dimensions[row_number].height = 15 * (1 + len(note) // 60)
            ws.append([_cell(ws, note, _BODY_FONT, _WRAP_LEFT, border=False)])
    return ws


def write_workbook(sheets, stream=None, *, at=None):
    """Write the sheets to `stream` (a spooled temporary file by default), rewound and ready to send.

    at: a fixed time (a published version's) for the document properties and the zip entries, so the
    same content gives the same bytes on every download; without it, openpyxl stamps "now".
    """
    wb = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(wb, sheet)
    # Left open on purpose: FileResponse closes it once the download is sent.
    stream = stream or tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115
    if at is None:
        wb.save(stream)
    else:
        written = io.BytesIO()
        wb.save(written)
        _restamp(written, stream, wb.properties, at)
    stream.seek(0)
    return stream


def _restamp(source, target, properties, at):
    """Copy the workbook zip with every timestamp set to `at`: core.xml's created/modified and each entry's."""
    utc = at.astimezone(datetime.UTC).replace(tzinfo=None, microsecond=0)
    properties.created = properties.modified = utc
    stamp = (max(utc.year, 1980), utc.month, utc.day, utc.hour, utc.minute, utc.second)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for entry in old.infolist():
            data = tostring(properties.to_tree()) if entry.filename == ARC_CORE else old.read(entry)
            new.writestr(zipfile.ZipInfo(entry.filename, date_time=stamp), data, zipfile.ZIP_DEFLATED)


def workbook_response(sheets, filename, *, audit=None, obj=None, at=None):
    """A download of the workbook; the file streams from disk rather than sitting in memory.
    audit, obj: for non-public data, see `download_response`. at: a published version's time (see write_workbook)."""
    return download_response(write_workbook(sheets, at=at), filename, XLSX_CONTENT_TYPE, audit=audit, obj=obj)


def progress_sheets(tables, title_prefix=""):
    """Sheets for progress tables, cells as printed, counts as numbers.

    `tables`: ProgressTables (see assessment.tables), or the frozen form a published issue keeps
    (bulletins.snapshot: dicts with category, header, rows of unit/values/deduction_text, notes).
    """
    for table in tables:
        if isinstance(table, dict):
            name, header = table["category"]["name"], table["header"]
            rows = (
                [row["unit"], *[_frozen_value(v) for v in row["values"]], row["deduction_text"] or None]
                for row in table["rows"]
            )
            notes = [f"{n['number']}. {n['text']}" for n in table["notes"]]
        else:
            name, header = table.category.name, table.header
            rows = (
                [row.unit.name, *[_excel_value(m) for m in row.cells], row.deduction_text or None] for row in table.rows
            )
            notes = [f"{n.number}. {n.text}" for n in table.notes]
        yield Sheet(name=name, title=f"{title_prefix}{name}工作进展通报", header=header, rows=rows, notes=notes)


def _excel_value(cell):
    """A cell (assessment.cells) as the workbook holds it: what every page shows, a number as a number."""
    if cell is None:
        return None
    return cell.shown_count if cell.shown_count is not None else cell.value


def score_sheets(categories, title):
    """Sheets for scores (see assessment.scoring): one ranking per category, then every line of every unit."""
    live = any(not c.frozen for c in categories)
    for c in categories:
        if live:
            header = ["名次", c.category, "满分", "已确认扣分", "当前得分", "待定（*）扣分", "若今日年终考核得分"]
            rows = (
                [u.rank_label, u.unit_name, u.full_points, u.deduction, u.score, u.pending, u.year_end_score]
                for u in c.units
            )
        else:
            header = ["名次", c.category, "满分", "扣分", "得分"]
            rows = ([u.rank_label, u.unit_name, u.full_points, u.deduction, u.score] for u in c.units)
        yield Sheet(
            name=f"{c.category}得分",
            title=f"{title} {c.category}",
            header=header,
            rows=rows,
            widths=[12, 24] + [12] * (len(header) - 2),
        )
    header = ["类别", "单位", "考核项目", "完成情况", "计分规则", "分值", "扣分"]
    header += ["若今日年终考核扣分"] if live else []
    header += ["计分说明", "扣分记录", "依据"]

    def lines():
        for c in categories:
            for u in c.units:
                for line in u.lines:
                    records = "；".join(
                        f"{r.date} {r.what} {r.reason}" + ("" if r.confirmed else "（待确认）") for r in line.records
                    )
                    note = f"说明{line.note_number}：{line.note_text}" if line.note_number else ""
                    values = [c.category, u.unit_name, line.title, line.cells, line.rule, line.points, line.deduction]
                    values += [line.year_end_deduction] if live else []
                    yield values + [line.explanation, records or None, note]

    yield Sheet(
        name="计分明细",
        title=f"{title} 计分明细",
        header=header,
        rows=lines(),
        widths=[10, 22, 24, 16, 18, 8, 8] + ([10] if live else []) + [36, 30, 40],
    )


def _frozen_value(text):
    """A cell as printed ("√", "16", "") → the workbook's value: counts as numbers, empty as None."""
    if not text:
        return None
    return int(text) if text.isdigit() else text
