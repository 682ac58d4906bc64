"""Import from Excel: workbooks in the export's own layout, previewed cell by cell, confirmed all or nothing.

Three kinds, each the mirror of an export written by the one Excel writer (`assessment.excel`):

- marks: the progress workbook (`/assessment/<year>/progress.xlsx` or a bulletin's `progress.xlsx`);
- schemes: a year's indicators and notes (`/assessment/<year>/schemes.xlsx`);
- units: the units (`/assessment/units.xlsx`).

Upload → `start_import` reads and checks the file, works out every change and stores it in an
`ImportSession` (the parsed changes as JSON, never the file) → staff look at the preview →
`confirm_import` applies it in one transaction, or refuses it whole.

The workbook is read with openpyxl in read-only mode rather than import-export's own readers:
those take the first row of the first sheet as the header, while our layout has a title row,
one sheet per table, and notes under the table; read-only mode also streams a large file
instead of loading it whole. Units and schemes are then handed to import-export Resources
(`assessment.resources`) as tablib Datasets. Marks are not: a mark cell is one unit × one
indicator of a pivoted table, and it must change through `services.bulk_set_marks`
(vocabulary, versions, history, one undoable batch), never through a Resource's own save.
"""

import hashlib
import json
import os
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from xml.etree import ElementTree

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from . import import_staleness
from .audit import audited
from .audit.models import AuditAction
from .excel import Sheet
from .models import Category, ImportKind, ImportSession, Indicator, Mark, MarkState, Note, Scheme, Unit
from .resources import IndicatorResource, NoteResource, UnitResource
from .services import HOW, DomainError, bulk_set_marks
from .tables import build_tables, schemes_with_parts
from .workbooks import check_workbook

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_ROWS = 2000  # far more than any table has; stops a crafted file from filling memory
MAX_COLUMNS = 60
SESSION_MAX_AGE = timedelta(hours=2)
NOTES_HEADINGS = ("说明:", "说明：")
_SPACE = re.compile(r"\s+")
_YEAR = re.compile(r"(\d{4})\s*年")


def squash(value):
    """Text with every whitespace removed: a header or name typed or wrapped differently still matches."""
    return _SPACE.sub("", cell_text(value))


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def problem(message, sheet="", row=None, column=None):
    """One error of the preview: where (sheet, row, column letter) and what, in Chinese."""
    return {"sheet": sheet, "row": row, "column": get_column_letter(column) if column else "", "message": message}


class Sheets(list):
    """The sheets of a workbook, and when the workbook was written (for an older export's warning)."""

    def __init__(self, sheets, *, exported_at=None):
        super().__init__(sheets)
        self.exported_at = exported_at


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


def read_workbook(uploaded):
    """The sheets of an uploaded .xlsx; DomainError (Chinese) for a file that is not one we can read."""
    name = uploaded.name or ""
    if uploaded.size and uploaded.size > MAX_IMPORT_BYTES:
        raise DomainError(f"文件“{name}”超过 {MAX_IMPORT_BYTES // (1024 * 1024)} MB 的上限，不能导入。")
    if uploaded.size and os.path.splitext(name)[1].lower() != ".xlsx":
        raise DomainError(f"“{name}”不是 .xlsx 格式的 Excel 工作簿。请上传从本系统导出、修改后保存的 .xlsx 文件。")
    try:
        # Kind, size, unpacked size, cell lengths, rows, formulas: all before openpyxl reads a byte.
        check_workbook(uploaded, max_bytes=MAX_IMPORT_BYTES, max_rows=MAX_ROWS)
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
                    if len(rows) > MAX_ROWS:
                        raise DomainError(f"工作表“{ws.title}”超过 {MAX_ROWS} 行，不像是本系统导出的表格。")
                while rows and not any(cell_text(v) for v in rows[-1]):
                    rows.pop()
                width = max((len(r) for r in rows), default=0)
                rows = [r + [None] * (width - len(r)) for r in rows]
                sheets.append(SheetData(ws.title, rows, _merged_ranges(archive, ws._worksheet_path)))
        written_at = import_staleness.exported_at(workbook)
    finally:
        workbook.close()
    if not sheets or all(s.is_empty for s in sheets):
        raise DomainError(f"“{name}”是空的：工作簿里没有任何内容。")
    return Sheets(sheets, exported_at=written_at)


def _check_header(sheet, expected, problems):
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


def _data_rows(sheet):
    """(row number, values) of the table body: from row 3 to the first empty row or the notes."""
    for number in range(3, len(sheet.rows) + 1):
        values = sheet.row(number)
        if not any(cell_text(v) for v in values) or cell_text(values[0]) in NOTES_HEADINGS:
            return
        yield number, values


def _last_data_row(sheet):
    last = 2
    for number, _ in _data_rows(sheet):
        last = number
    return last


# --- marks -----------------------------------------------------------------------------------


def preview_marks(sheets, year):
    """Every change and every error of a progress workbook for `year`, as JSON-ready dicts."""
    tables = build_tables(schemes_with_parts(Scheme.objects.filter(year=year)).order_by("category__order"))
    if not tables:
        raise DomainError(f"{year}年度还没有考核方案，不能导入完成情况。")
    by_sheet = {table.category.name: table for table in tables}
    enrolled = {squash(row.unit.name): table.category.name for table in tables for row in table.rows}
    problems, notes, changes, summary, unknown_units = [], [], [], [], []
    for sheet in sheets:
        table = by_sheet.get(sheet.name.strip())
        if table is None:
            if sheet.is_empty:
                notes.append(f"空白工作表“{sheet.name}”已忽略。")
            else:
                problems.append(
                    problem(
                        f"工作表“{sheet.name}”不是{year}年度的进展通报表（应为：{'、'.join(by_sheet)}）。",
                        sheet.name,
                    )
                )
            continue
        title = cell_text(sheet.row(1)[0] if sheet.row(1) else "")
        match = _YEAR.search(title)
        if match and int(match.group(1)) != year:
            problems.append(
                problem(f"这是{match.group(1)}年的表格（标题“{title}”），不能导入{year}年度。", sheet.name, 1, 1)
            )
            continue
        if not _check_header(sheet, table.header, problems):
            continue
        merged = sheet.merges_in(3, _last_data_row(sheet))
        if merged:
            problems.append(problem(f"表格中有合并单元格（{'、'.join(merged)}），请取消合并。", sheet.name))
            continue
        rows_by_name = {squash(row.unit.name): row for row in table.rows}
        seen, changed, deduction_edits = {}, 0, []
        deduction_col = len(table.indicators) + 1
        for number, values in _data_rows(sheet):
            name = cell_text(values[0])
            key = squash(name)
            row = rows_by_name.get(key)
            if row is None:
                if not name:
                    problems.append(problem("单位名称为空。", sheet.name, number, 1))
                elif key in enrolled:
                    problems.append(
                        problem(f"单位“{name}”属于“{enrolled[key]}”，不在“{sheet.name}”表中。", sheet.name, number, 1)
                    )
                else:
                    unknown_units.append((name, sheet.name, number))
                continue
            if key in seen:
                problems.append(problem(f"单位“{name}”重复出现（第{seen[key]}行已有）。", sheet.name, number, 1))
                continue
            seen[key] = number
            for index, (indicator, mark) in enumerate(zip(table.indicators, row.cells, strict=True), start=1):
                text = cell_text(values[index])
                where = (sheet.name, number, index + 1)
                if mark is None:
                    if text:
                        problems.append(
                            problem(f"{row.unit.name}的“{indicator.title}”在系统中没有记录，不能导入。", *where)
                        )
                    continue
                if text == mark.value:
                    continue  # as every page shows it (a derived 奖惩案例 number included): unchanged
                try:
                    # The column's rules, a derived number refused with the words of every other path.
                    indicator.parse(text)
                except ValidationError as exc:
                    problems.append(problem(f"{row.unit.name}：{' '.join(exc.messages)}", *where))
                    continue
                changed += 1
                changes.append(
                    {
                        "mark": mark.pk,
                        "version": mark.version,
                        "sheet": sheet.name,
                        "row": number,
                        "column": get_column_letter(index + 1),
                        "unit": row.unit.name,
                        "indicator": indicator.title,
                        "old": mark.value,
                        "new": text,
                    }
                )
            if cell_text(values[deduction_col]) != (row.deduction_text or "").strip():
                deduction_edits.append(row.unit.name)
            extra = [i + 1 for i in range(deduction_col + 1, len(values)) if cell_text(values[i])]
            if extra:
                problems.append(problem("表格右侧多出内容：不能增加列。", sheet.name, number, extra[0]))
        if deduction_edits:
            notes.append(f"{sheet.name}：“扣分情况”一栏不通过导入修改，{'、'.join(deduction_edits)}的改动已忽略。")
        missing = [row.unit.name for key, row in rows_by_name.items() if key not in seen]
        if missing:
            notes.append(f"{sheet.name}：文件中没有{'、'.join(missing)}，这些单位保持不变。")
        summary.append({"sheet": sheet.name, "rows": len(seen), "changes": changed})
    if unknown_units:
        known = set(Unit.objects.filter(name__in=[n for n, _, _ in unknown_units]).values_list("name", flat=True))
        for name, sheet_name, number in unknown_units:
            if name in known:
                message = f"单位“{name}”不在{year}年度的参评单位中。"
            else:
                message = f"没有名为“{name}”的责任单位（单位名称须与通报一致）。"
            problems.append(problem(message, sheet_name, number, 1))
    if not summary and not problems:
        problems.append(problem(f"工作簿中没有{year}年度的进展通报表（工作表应为：{'、'.join(by_sheet)}）。"))
    return {"changes": changes, "errors": problems, "notes": notes, "sheets": summary}


def apply_marks(session, user):
    changes = session.changes
    marks = Mark.objects.select_related("unit", "indicator").in_bulk([c["mark"] for c in changes])
    if len(marks) != len({c["mark"] for c in changes}):
        raise DomainError("预览之后有单元格被删除，导入未执行。请重新上传。")
    batch = bulk_set_marks(
        [(marks[c["mark"]], c["new"], c["version"]) for c in changes],
        user,
        how=HOW.IMPORT,
        description=f"{session.year}年度 {session.file_name}",
    )
    if batch is None:
        raise DomainError("文件与系统中的内容相同，没有需要导入的修改。")
    return batch


# --- units and schemes (import-export Resources) -----------------------------------------------

UNITS_SHEET = "责任单位"
INDICATORS_SHEET = "考核指标"
NOTES_SHEET = "说明"
UNIT_WIDTHS = [16, 8, 30, 40, 10]
INDICATOR_WIDTHS = [14, 6, 40, 8, 18, 18, 10, 10, 26, 10, 18, 12]
NOTE_WIDTHS = [14, 6, 90, 12]


def _resource_sheet(name, title, resource, queryset, widths):
    dataset = resource.export(queryset)
    return Sheet(name=name, title=title, header=list(dataset.headers), rows=list(dataset), widths=widths)


def units_sheets():
    units = Unit.objects.select_related("category").order_by("category__order", "order", "pk")
    return [_resource_sheet(UNITS_SHEET, "责任单位", UnitResource(), units, UNIT_WIDTHS)]


def scheme_sheets(year):
    indicators = (
        Indicator.objects.filter(scheme__year=year)
        .select_related("scheme__category")
        .order_by("scheme__category__order", "order")
    )
    notes = (
        Note.objects.filter(scheme__year=year)
        .select_related("scheme__category")
        .prefetch_related("indicators")
        .order_by("scheme__category__order", "number")
    )
    return [
        _resource_sheet(
            INDICATORS_SHEET, f"{year}年度 考核指标", IndicatorResource(year), indicators, INDICATOR_WIDTHS
        ),
        _resource_sheet(NOTES_SHEET, f"{year}年度 说明", NoteResource(year), notes, NOTE_WIDTHS),
    ]


def _fingerprint(sheets):
    """What the data looked like at preview: confirm refuses if it has changed since."""
    data = [[s.name, s.header, [[cell_text(v) for v in row] for row in s.rows]] for s in sheets]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def _read_flat(sheets, expected, problems):
    """{sheet name: tablib.Dataset} for sheets in the flat layout `expected` ({name: header})."""
    datasets = {}
    for sheet in sheets:
        header = expected.get(sheet.name.strip())
        if header is None:
            if sheet.is_empty:
                continue
            problems.append(problem(f"工作表“{sheet.name}”不认识（应为：{'、'.join(expected)}）。", sheet.name))
            continue
        if not _check_header(sheet, header, problems):
            continue
        merged = sheet.merges_in(3, _last_data_row(sheet))
        if merged:
            problems.append(problem(f"表格中有合并单元格（{'、'.join(merged)}），请取消合并。", sheet.name))
            continue
        rows = [[cell_text(v) for v in values[: len(header)]] for _, values in _data_rows(sheet)]
        datasets[sheet.name.strip()] = tablib.Dataset(*rows, headers=header)
    if not datasets and not problems:
        problems.append(problem(f"工作簿中没有可导入的工作表（应为：{'、'.join(expected)}）。"))
    return datasets


def _duplicates(dataset, sheet_name, key_columns, problems):
    seen = {}
    for number, row in enumerate(dataset.dict, start=3):
        key = tuple(squash(row[c]) for c in key_columns)
        if key in seen:
            label = " · ".join(cell_text(row[c]) for c in key_columns)
            problems.append(problem(f"“{label}”重复出现（第{seen[key]}行已有）。", sheet_name, number, 1))
        else:
            seen[key] = number


def _describe(sheet_name, resource, result, problems, changes):
    """import-export's result as preview lines and errors (row numbers as in the spreadsheet)."""
    import_fields = resource.get_import_fields()
    columns = {f.attribute: index for index, f in enumerate(import_fields, start=1)}
    headers = {f.attribute: f.column_name for f in import_fields}
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            label = headers.get(attribute)
            for message in messages:
                text = f"{label}：{message}" if label and not message.startswith(label) else message
                problems.append(problem(text, sheet_name, invalid.number + 2, columns.get(attribute)))
    for row in result.rows:
        number = getattr(row, "_kc_number", 0) + 2
        for error in row.errors:
            problems.append(problem(f"无法导入：{error.error}", sheet_name, number))
        if row.import_type in (row.IMPORT_TYPE_NEW, row.IMPORT_TYPE_UPDATE):
            changes.append(
                {
                    "sheet": sheet_name,
                    "row": number,
                    "action": "新增" if row.import_type == row.IMPORT_TYPE_NEW else "修改",
                    "object": resource.describe(row.instance),
                    "fields": [[h, old, new] for h, old, new in row.diff],
                }
            )


class _Numbered:
    """Mixin: remember each row's dataset number on its RowResult (import-export does not)."""

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        row_result._kc_number = kwargs.get("row_number", 0)
        return row_result


class _Units(_Numbered, UnitResource):
    pass


class _Indicators(_Numbered, IndicatorResource):
    pass


class _Notes(_Numbered, NoteResource):
    pass


def _run_units(datasets, user, problems, changes, notes):
    dataset = datasets.get(UNITS_SHEET)
    if dataset is None:
        return
    _duplicates(dataset, UNITS_SHEET, ["名称（按通报）"], problems)
    if problems:
        return
    resource = _Units()
    result = resource.import_data(dataset, use_transactions=True, raise_errors=False)
    _describe(UNITS_SHEET, resource, result, problems, changes)
    listed = {squash(r["名称（按通报）"]) for r in dataset.dict}
    others = [u for u in Unit.objects.values_list("name", flat=True) if squash(u) not in listed]
    if others:
        notes.append(f"文件中没有的{len(others)}家单位保持不变（导入不删除单位）。")


def _run_schemes(datasets, year, user, problems, changes, notes):
    categories = {c.name: c for c in Category.objects.all()}
    wanted = {cell_text(r["类别"]) for d in datasets.values() for r in d.dict}
    for sheet_name, dataset in datasets.items():
        for number, row in enumerate(dataset.dict, start=3):
            if cell_text(row["类别"]) not in categories:
                problems.append(
                    problem(
                        f"没有名为“{cell_text(row['类别'])}”的单位类别（现有：{'、'.join(categories)}）。",
                        sheet_name,
                        number,
                        1,
                    )
                )
    if problems:
        return
    for name in sorted(wanted):
        if name in categories and not Scheme.objects.filter(year=year, category=categories[name]).exists():
            Scheme.objects.create(year=year, category=categories[name])
            notes.append(f"新建{year}年度“{name}”考核方案。")
    indicators = datasets.get(INDICATORS_SHEET)
    before = set(Indicator.objects.filter(scheme__year=year).values_list("pk", flat=True))
    if indicators is not None:
        _duplicates(indicators, INDICATORS_SHEET, ["类别", "顺序"], problems)
        if not problems:
            resource = _Indicators(year)
            result = resource.import_data(indicators, use_transactions=True, raise_errors=False)
            _describe(INDICATORS_SHEET, resource, result, problems, changes)
            if not problems:
                _check_marks_still_fit(year, indicators, problems)
                _create_marks_for_new_indicators(year, before, user, notes)
                listed = {(cell_text(r["类别"]), cell_text(r["顺序"])) for r in indicators.dict}
                kept = [
                    f"{i.scheme.category.name}第{i.order}项“{i.title}”"
                    for i in Indicator.objects.filter(scheme__year=year, scheme__category__name__in=wanted)
                    .select_related("scheme__category")
                    .order_by("scheme__category__order", "order")
                    if (i.scheme.category.name, str(i.order)) not in listed
                ]
                if kept:
                    notes.append(f"文件中没有的指标保持不变（导入不删除指标）：{'、'.join(kept)}。")
    note_rows = datasets.get(NOTES_SHEET)
    if note_rows is not None and not problems:
        _duplicates(note_rows, NOTES_SHEET, ["类别", "序号"], problems)
        if not problems:
            resource = _Notes(year)
            result = resource.import_data(note_rows, use_transactions=True, raise_errors=False)
            _describe(NOTES_SHEET, resource, result, problems, changes)
            listed = {(cell_text(r["类别"]), cell_text(r["序号"])) for r in note_rows.dict}
            stale = [
                n
                for n in Note.objects.filter(scheme__year=year, scheme__category__name__in=wanted).select_related(
                    "scheme__category"
                )
                if (n.scheme.category.name, str(n.number)) not in listed
            ]
            for note in stale:
                changes.append(
                    {
                        "sheet": NOTES_SHEET,
                        "row": None,
                        "action": "删除",
                        "object": f"{note.scheme.category} 说明第{note.number}条",
                        "fields": [],
                    }
                )
                note.delete()


def _check_marks_still_fit(year, dataset, problems):
    """An indicator's new allowed values must still hold every mark already entered in its column."""
    numbers = {(cell_text(r["类别"]), cell_text(r["顺序"])): n for n, r in enumerate(dataset.dict, start=3)}
    marks = Mark.objects.filter(indicator__scheme__year=year).select_related("unit", "indicator__scheme__category")
    reported = set()
    for mark in marks:
        indicator = mark.indicator
        try:
            indicator.check_value(mark.state or None, mark.count)
        except ValidationError:
            key = (indicator.scheme.category.name, str(indicator.order))
            if key in reported:
                continue
            reported.add(key)
            problems.append(
                problem(
                    f"“{indicator.title}”已有“{mark.display}”（{mark.unit}等），新的可填内容不包括它：请先修改这些完成情况。",
                    INDICATORS_SHEET,
                    numbers.get(key),
                )
            )


def initial_text(indicator):
    """The value a new column starts with: * where allowed, else its first allowed word (or 0 for counts)."""
    if MarkState.PENDING in indicator.allowed_states:
        return MarkState.PENDING, None
    if indicator.allowed_states:
        return indicator.allowed_states[0], None
    return "", 0


def _create_marks_for_new_indicators(year, before, user, notes):
    new = Indicator.objects.filter(scheme__year=year).exclude(pk__in=before).select_related("scheme")
    for indicator in new:
        units = list(indicator.scheme.scheme_units.values_list("unit_id", flat=True))
        state, count = initial_text(indicator)
        for unit_id in units:
            mark = Mark(unit_id=unit_id, indicator=indicator, state=state, count=count, updated_by=user)
            mark._change_reason = HOW.IMPORT
            mark._history_user = user
            mark.save()
        if units:
            notes.append(
                f"新增指标“{indicator.title}”：为{len(units)}家参评单位建立完成情况，初始为“{state or count}”。"
            )


def _flat_import(kind, sheets, year, user):
    """Run the Resources inside a transaction and report; the caller decides whether to keep it."""
    problems, changes, notes = [], [], []
    if kind == ImportKind.UNITS:
        expected = {UNITS_SHEET: _headers(UnitResource())}
    else:
        expected = {INDICATORS_SHEET: _headers(IndicatorResource(year)), NOTES_SHEET: _headers(NoteResource(year))}
    datasets = _read_flat(sheets, expected, problems)
    if not problems:
        if kind == ImportKind.UNITS:
            _run_units(datasets, user, problems, changes, notes)
        else:
            _run_schemes(datasets, year, user, problems, changes, notes)
    return datasets, {"changes": changes, "errors": problems, "notes": notes}


def _headers(resource):
    return [f.column_name for f in resource.get_export_fields()]


def _current_fingerprint(kind, year):
    return _fingerprint(units_sheets() if kind == ImportKind.UNITS else scheme_sheets(year))


def _datasets_json(datasets):
    return {name: {"headers": list(d.headers), "rows": [list(r) for r in d]} for name, d in datasets.items()}


def _datasets_from_json(data):
    return [SheetData(name, [[None], d["headers"], *d["rows"]]) for name, d in data.items()]


# --- sessions ----------------------------------------------------------------------------------


def start_import(uploaded, kind, year, user):
    """Read and check the upload, work out the changes without keeping any: an ImportSession to preview."""
    sheets = read_workbook(uploaded)
    if kind == ImportKind.MARKS:
        payload = preview_marks(sheets, year)
        since = getattr(sheets, "exported_at", None)
        payload["reverts"] = import_staleness.newer_changes(payload["changes"], since)
        payload["stale_warning"] = import_staleness.warning(since, payload["reverts"])
    else:
        fingerprint = _current_fingerprint(kind, year)
        with transaction.atomic():
            datasets, payload = _flat_import(kind, sheets, year, user)
            transaction.set_rollback(True)  # a preview: nothing is kept
        payload["datasets"] = _datasets_json(datasets)
        payload["fingerprint"] = fingerprint
    # A file with errors is refused at once: its preview says so (未导入), never 待确认.
    refused = bool(payload.get("errors"))
    return ImportSession.objects.create(
        token=uuid.uuid4(),
        kind=kind,
        year=year,
        file_name=(uploaded.name or "")[:255],
        payload=payload,
        created_by=user,
        status=ImportSession.Status.REFUSED if refused else ImportSession.Status.PREVIEW,
        message=f"文件中有 {len(payload['errors'])} 个错误" if refused else "",
        finished_at=timezone.now() if refused else None,
    )


def _import_facts(args, session):
    session = session or args["session"]
    return {"obj": session, "detail": f"{session.get_kind_display()} · {session.file_name}：{session.message}"}


@audited(AuditAction.IMPORT_CONFIRM, _import_facts, refused=DomainError)
def confirm_import(session, user):
    """Apply a previewed import all or nothing. Refused (and the session closed) when anything changed since."""
    try:
        with transaction.atomic():
            session = ImportSession.objects.select_for_update().get(pk=session.pk)
            if session.created_by_id != user.pk:
                raise DomainError("只能确认自己上传的导入。")
            if session.errors:
                raise DomainError("文件中有错误，不能导入。请改正后重新上传。")
            if session.status != ImportSession.Status.PREVIEW:
                raise DomainError("这次导入已经处理过了（每个上传只能确认一次）。请重新上传。")
            if timezone.now() - session.created_at > SESSION_MAX_AGE:
                raise DomainError("预览已超过两小时，请重新上传文件。")
            if not session.changes:
                raise DomainError("文件与系统中的内容相同，没有需要导入的修改。")
            if session.kind == ImportKind.MARKS:
                session.batch = apply_marks(session, user)
            else:
                if _current_fingerprint(session.kind, session.year) != session.payload.get("fingerprint"):
                    raise DomainError("预览之后数据已被他人修改，导入未执行。请重新导出、修改后再上传。")
                _, payload = _flat_import(
                    session.kind, _datasets_from_json(session.payload["datasets"]), session.year, user
                )
                if payload["errors"]:
                    raise DomainError("导入时发现错误，未做任何修改：" + payload["errors"][0]["message"])
            session.status = ImportSession.Status.DONE
            session.finished_at = timezone.now()
            session.message = f"已导入 {len(session.changes)} 处修改。"
            session.save(update_fields=["status", "finished_at", "message", "batch"])
            return session
    except DomainError as exc:
        ImportSession.objects.filter(pk=session.pk, status=ImportSession.Status.PREVIEW).update(
            status=ImportSession.Status.REFUSED, message=str(exc)[:500], finished_at=timezone.now()
        )
        raise
