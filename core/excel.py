"""The one Excel writer of the portal (openpyxl, write-only so rows stream to disk).

Every workbook the portal hands out — progress tables, rankings, case tables — goes
through `write_workbook`, so they all look alike and print alike.
"""

import datetime
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from core.cells_safe import inert
from core.downloads import download_response

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BLOCK = 64 * 1024

_thin = Side(style="thin", color="000000")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_TITLE_FONT = Font(name="宋体", size=14, bold=True)
_HEADER_FONT = Font(name="宋体", size=10, bold=True)
_BODY_FONT = Font(name="宋体", size=10)
_WRAP_CENTER = Alignment(wrap_text=True, horizontal="center", vertical="center")
_WRAP_LEFT = Alignment(wrap_text=True, horizontal="left", vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center")


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: hashing a Font walks all its fields
class _Style:
    font: Font
    alignment: Alignment
    border: Border | None = None


# The handful of cell styles every workbook uses.
TITLE = _Style(_TITLE_FONT, _CENTER)
HEADER = _Style(_HEADER_FONT, _WRAP_CENTER, _BORDER)
FIRST_COLUMN = _Style(_BODY_FONT, _WRAP_LEFT, _BORDER)
BODY = _Style(_BODY_FONT, _CENTER, _BORDER)
NOTES_HEADING = _Style(_HEADER_FONT, _WRAP_LEFT)
NOTE = _Style(_BODY_FONT, _WRAP_LEFT)


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


class _SharedStyle(StyleArray):
    """One style's indices, shared by every body cell of that style and never changed in place.

    openpyxl finds a cell's style in the workbook by hashing its indices, on every cell written; a
    shared one is hashed once. A value that would change it (a date gets a number format) raises
    TypeError instead, and _StyledRow writes that row with cells of their own.
    """

    __slots__ = ("_hash",)

    def __new__(cls, indices):
        self = super().__new__(cls, indices)
        self._hash = hash(tuple(indices))
        return self

    def __hash__(self):
        return self._hash

    def __setitem__(self, index, value):
        raise TypeError("a shared style is not changed in place")


class _Styles(dict):
    """The workbook's styles, each registered once: {_Style: its _SharedStyle}.

    Setting a font, alignment or border on a cell makes openpyxl look it up in the workbook's
    lists, hashing it field by field; a cell made here takes the indices of its style instead.
    """

    def __init__(self, ws):
        super().__init__()
        self.ws = ws  # any sheet of the workbook: the indices are the workbook's

    def __missing__(self, style):
        cell = WriteOnlyCell(self.ws)
        cell.font, cell.alignment = style.font, style.alignment
        if style.border is not None:
            cell.border = style.border
        self[style] = shared = _SharedStyle(cell._style)
        return shared

    def cell(self, ws, value, style):
        """A cell of its own (a copy of the style's indices, which its value may change); text that
        would run as a formula is made inert (core.cells_safe)."""
        return Cell(ws, row=1, column=1, value=inert(value), style_array=self[style])

    def shared_cell(self, ws, style):
        cell = Cell(ws, row=1, column=1)
        cell._style = self[style]
        return cell


class _Row(list):
    """A row of one sheet's own styled cells, each already in its column (see _StreamedSheet)."""


class _StreamedSheet(WriteOnlyWorksheet):
    """A write-only sheet whose body rows are the same styled cells, refilled for every row.

    A write-only sheet writes a row out as soon as it is appended, so one styled cell per column
    serves every row: the styles are built once per sheet, not once per cell, and memory stays
    flat in the rows. openpyxl's append() takes a row of anything: for each item it first tries
    it as a value (for a cell that raises and is caught), then places it in its column, one
    generator step per cell, which made a styled cell cost twice a plain value. A `_Row` is
    already placed, so only its row number is set here; any other row goes openpyxl's way.
    """

    def _values_to_row(self, values, row_idx):
        if type(values) is not _Row:
            return super()._values_to_row(values, row_idx)
        for cell in values:
            cell.row = row_idx
        return values


class _StyledRow:
    """The body's styled cells (one per column, reused for every row; see _StreamedSheet)."""

    def __init__(self, ws, styles, columns):
        self.ws, self.styles = ws, styles
        self.columns = columns  # each column's style
        self.cells = _Row(styles.shared_cell(ws, style) for style in self.columns)
        for column, cell in enumerate(self.cells, start=1):
            cell.column = column

    def append(self, values):
        if not isinstance(values, list | tuple):
            values = list(values)
        cells = self.cells
        if len(values) == len(cells):
            try:
                for cell, value in zip(cells, values, strict=True):
                    cell.value = inert(value)  # text that would run as a formula made inert (core.cells_safe)
            except TypeError:  # a date, which would change the shared style: cells of their own below
                pass
            else:
                self.ws.append(cells)
                return
        # A row wider or narrower than the header, or with a date: styled cell by cell.
        columns = (self.columns + [self.columns[-1]] * len(values))[: len(values)]
        self.ws.append([self.styles.cell(self.ws, v, style) for v, style in zip(values, columns, strict=True)])


# Tables of up to this many rows are printed on one page, notes included (_write_sheet).
ONE_PAGE_ROWS = 20


def _add_sheet(wb, name):
    ws = _StreamedSheet(parent=wb, title=name[:31])
    wb._add_sheet(ws)  # what Workbook.create_sheet does, with the sheet class above
    return ws


def _write_sheet(ws, sheet, styles):
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
    ws.append([styles.cell(ws, sheet.title, TITLE)])
    ws.row_dimensions[2].height = 90
    ws.append([styles.cell(ws, text, HEADER) for text in sheet.header])
    row_number = 2
    body = _StyledRow(ws, styles, [FIRST_COLUMN] + [BODY] * (ncols - 1))
    for values in sheet.rows:
        row_number += 1
        body.append(values)
    # A short table prints on one page with its notes (the 区镇's last notes would otherwise take a page of
    # their own under the repeated, empty header); a long one runs over pages under its repeated header.
    if row_number - 2 <= ONE_PAGE_ROWS:
        ws.page_setup.fitToHeight = 1
    if sheet.notes:
        row_number += 2
        ws.append([])
        ws.append([styles.cell(ws, sheet.notes_heading, NOTES_HEADING)])
        for note in sheet.notes:
            row_number += 1
            ws.merged_cells.add(f"A{row_number}:{last}{row_number}")
            # Roughly one printed line per 60 characters across the merged width.
            ws.row_dimensions[row_number].height = 15 * (1 + len(note) // 60)
            ws.append([styles.cell(ws, note, NOTE)])


def write_workbook(sheets, stream=None, *, at=None):
    """Write the sheets to `stream` (a spooled temporary file by default), rewound and ready to send.

    at: a fixed time (a published version's) for the document properties and the zip entries, so the
    same content gives the same bytes on every download; without it, openpyxl stamps "now".
    """
    wb = Workbook(write_only=True)
    styles = None
    for sheet in sheets:
        ws = _add_sheet(wb, sheet.name)
        styles = _Styles(ws) if styles is None else styles
        _write_sheet(ws, sheet, styles)
    # Left open on purpose: FileResponse closes it once the download is sent.
    stream = stream or tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115
    if at is None:
        wb.save(stream)
    else:
        utc = at.astimezone(datetime.UTC).replace(tzinfo=None, microsecond=0)
        wb.properties.created = wb.properties.modified = utc
        # What Workbook.save does (save_workbook), less its "modified = now", into a zip stamped `at`.
        ExcelWriter(wb, _StampedZip(stream, utc)).save()
    stream.seek(0)
    return stream


class _StampedZip(zipfile.ZipFile):
    """A zip whose every entry carries one time, written as openpyxl writes its parts (deflated).

    openpyxl adds its parts with writestr(name, data) and its sheets with write(file, name), both
    stamped with the current time: here every entry gets `at` instead, and a sheet streams from its
    temporary file rather than being read whole.
    """

    def __init__(self, stream, at):
        super().__init__(stream, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self.stamp = (max(at.year, 1980), at.month, at.day, at.hour, at.minute, at.second)

    def _entry(self, name):
        entry = zipfile.ZipInfo(name, date_time=self.stamp)
        entry.compress_type = zipfile.ZIP_DEFLATED
        return entry

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = self._entry(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as source, self.open(self._entry(arcname or filename), "w") as target:
            shutil.copyfileobj(source, target, BLOCK)


def workbook_response(sheets, filename, *, audit=None, obj=None, at=None):
    """A download of the workbook; the file streams from disk rather than sitting in memory.
    audit, obj: for non-public data, see `download_response`. at: a published version's time (see write_workbook)."""
    return download_response(write_workbook(sheets, at=at), filename, XLSX_CONTENT_TYPE, audit=audit, obj=obj)
