"""Reading an uploaded workbook: its sheets as rows of text, merged cells spread, headers checked."""

import os
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.db.models import Count
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.utils.cell import coordinate_from_string

from assessment.imports import staleness
from assessment.models import SchemeUnit
from core.cells_safe import restored
from core.errors import DomainError
from core.workbooks import check_workbook

MAX_IMPORT_BYTES = 20 * 1024 * 1024


MAX_ROWS = 2000  # the least a sheet may have: stops a crafted file from filling memory
ROWS_BESIDE_UNITS = 200  # title, header, notes: far more than an export's sheet has besides its units


MAX_COLUMNS = 60


NOTES_HEADINGS = ("说明:", "说明：")


_SPACE = re.compile(r"\s+")


def squash(value):
    """Text with every whitespace removed: a header or name typed or wrapped differently still matches."""
    return _SPACE.sub("", cell_text(value))


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return restored(str(value)).strip()


FORMULA_MESSAGE = "这是公式，请粘贴为数值后再导入。"


def problem(message, sheet="", row=None, column=None):
    """One error of the preview: where (sheet, row, column letter) and what, in Chinese."""
    return {"sheet": sheet, "row": row, "column": get_column_letter(column) if column else "", "message": message}


class Sheets(list):
    """The sheets of a workbook, and when the workbook was written (for an older export's warning)."""

    def __init__(self, sheets, *, exported_at=None, problems=()):
        super().__init__(sheets)
        self.exported_at = exported_at
        # What was found before the sheets were read (formula cells), reported with the preview's errors.
        self.problems = list(problems)


@dataclass
class SheetData:
    name: str
    rows: list  # row values, padded to the widest row; rows[0] is spreadsheet row 1
    merged: list = field(default_factory=list)  # "B2:C2" ranges

    def row(self, number):
        return self.rows[number - 1] if number <= len(self.rows) else []

    @property
    def is_empty(self):
        return not any(cell_text(v) for row in self.rows for v in row)

    def merges_in(self, first_row, last_row):
        hits = []
        for ref in self.merged:
            _, min_row, _, max_row = range_boundaries(ref)
            if min_row <= last_row and max_row >= first_row:
                hits.append(ref)
        return hits


def _merged_ranges(archive, path):
    """Merged ranges of a sheet, read from its XML (openpyxl's read-only sheets do not keep them)."""
    try:
        with archive.open(path) as stream:
            return [
                element.get("ref")
                for _, element in ElementTree.iterparse(stream)
                if element.tag.endswith("}mergeCell") and element.get("ref")
            ]
    except (KeyError, ElementTree.ParseError):
        return []


def row_limit(year):
    """The most rows a sheet of an import for `year` may have: the year's enrolled units (or the year before's,
    for a new year's import started from last year's export; any year's when the import has none) and the
    export's other rows, at least MAX_ROWS.

    A province's 20,000 units export in one sheet per category, so the office's own file imports back.
    """
    rows = SchemeUnit.objects.all() if year is None else SchemeUnit.objects.filter(scheme__year__in=[year, year - 1])
    enrolled = rows.order_by().values("scheme__year").annotate(n=Count("pk")).values_list("n", flat=True)
    return max(MAX_ROWS, max(enrolled, default=0) + ROWS_BESIDE_UNITS)


def read_workbook(uploaded, max_rows=MAX_ROWS):
    """The sheets of an uploaded .xlsx; DomainError (Chinese) for a file that is not one we can read.

    `max_rows`: the most rows of a sheet (row_limit of the import's year).
    """
    name = uploaded.name or ""
    if uploaded.size and uploaded.size > MAX_IMPORT_BYTES:
        raise DomainError(f"文件“{name}”超过 {MAX_IMPORT_BYTES // (1024 * 1024)} MB 的上限，不能导入。")
    if uploaded.size and os.path.splitext(name)[1].lower() != ".xlsx":
        raise DomainError(f"“{name}”不是 .xlsx 格式的 Excel 工作簿。请上传从本系统导出、修改后保存的 .xlsx 文件。")
    try:
        # Kind, size, unpacked size, cell lengths, rows, formulas: all before openpyxl reads a byte.
        formulas = {}
        check_workbook(uploaded, max_bytes=MAX_IMPORT_BYTES, max_rows=max_rows, formulas=formulas)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    uploaded.seek(0)
    try:
        workbook = load_workbook(uploaded, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DomainError(f"无法读取“{name}”：文件已损坏或不是 Excel 工作簿。") from exc
    sheets = []
    try:
        uploaded.seek(0)
        with zipfile.ZipFile(uploaded) as archive:
            for ws in workbook.worksheets:
                rows = []
                for values in ws.iter_rows(max_col=MAX_COLUMNS, values_only=True):
                    rows.append(list(values))
                    if len(rows) > max_rows:
                        raise DomainError(f"工作表“{ws.title}”超过 {max_rows} 行，不像是本系统导出的表格。")
                while rows and not any(cell_text(v) for v in rows[-1]):
                    rows.pop()
                width = max((len(r) for r in rows), default=0)
                rows = [r + [None] * (width - len(r)) for r in rows]
                sheets.append(SheetData(ws.title, rows, _merged_ranges(archive, ws._worksheet_path)))
        written_at = staleness.exported_at(workbook)
    finally:
        workbook.close()
    if not sheets or all(s.is_empty for s in sheets):
        raise DomainError(f"“{name}”是空的：工作簿里没有任何内容。")
    return Sheets(sheets, exported_at=written_at, problems=formula_problems(formulas))


def formula_problems(formulas):
    """Each formula cell an error at its place (the reader would see only the value Excel saved with it)."""
    problems = []
    for title, (count, refs) in formulas.items():
        for ref in refs:
            column, row = coordinate_from_string(ref)
            problems.append(problem(FORMULA_MESSAGE, title, row, column_index_from_string(column)))
        if count > len(refs):
            problems.append(problem(f"另有 {count - len(refs)} 个单元格是公式。{FORMULA_MESSAGE}", title))
    return problems


def check_header(sheet, expected, problems):
    """Row 2 must be the export's header, column by column; True when it is."""
    header = sheet.row(2)
    ok = True
    merged = sheet.merges_in(2, 2)
    if merged:
        problems.append(
            problem(f"表头有合并单元格（{'、'.join(merged)}），请取消合并后按导出时的表头保存。", sheet.name, 2)
        )
        ok = False
    for index, want in enumerate(expected):
        got = header[index] if index < len(header) else None
        if squash(got) != squash(want):
            ok = False
            found = f"文件中是“{cell_text(got)}”" if cell_text(got) else "文件中为空"
            problems.append(
                problem(f"表头应为“{want}”，{found}（表头不能修改、合并或移动）。", sheet.name, 2, index + 1)
            )
    for index in range(len(expected), len(header)):
        if cell_text(header[index]):
            ok = False
            problems.append(problem(f"多出的表头“{cell_text(header[index])}”：不能增加列。", sheet.name, 2, index + 1))
    return ok


def data_rows(sheet):
    """(row number, values) of the table body: from row 3 to the first empty row or the notes."""
    for number in range(3, len(sheet.rows) + 1):
        values = sheet.row(number)
        if not any(cell_text(v) for v in values) or cell_text(values[0]) in NOTES_HEADINGS:
            return
        yield number, values


def last_data_row(sheet):
    last = 2
    for number, _ in data_rows(sheet):
        last = number
    return last
