"""Importing units and schemes: the flat sheets handed to the import-export Resources."""

import hashlib
import json

import tablib

from assessment.imports.reading import SheetData, cell_text, check_header, data_rows, last_data_row, problem, squash
from assessment.imports.resources import IndicatorResource, NoteResource, UnitResource
from assessment.marks.services import HOW, start_cells
from assessment.models import Category, ImportKind, Indicator, Note, Scheme, Unit
from core.excel import Sheet

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
        if not check_header(sheet, header, problems):
            continue
        merged = sheet.merges_in(3, last_data_row(sheet))
        if merged:
            problems.append(problem(f"表格中有合并单元格（{'、'.join(merged)}），请取消合并。", sheet.name))
            continue
        rows = [[cell_text(v) for v in values[: len(header)]] for _, values in data_rows(sheet)]
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


def _create_marks_for_new_indicators(year, before, user, notes):
    new = Indicator.objects.filter(scheme__year=year).exclude(pk__in=before).select_related("scheme")
    for indicator in new:
        units = list(indicator.scheme.scheme_units.values_list("unit_id", flat=True))
        marks = start_cells(indicator, units, user, HOW.IMPORT)
        if marks:
            notes.append(
                f"新增指标“{indicator.title}”：为{len(marks)}家参评单位建立完成情况，初始为“{marks[0].display}”。"
            )


def flat_import(kind, sheets, year, user):
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


def current_fingerprint(kind, year):
    return _fingerprint(units_sheets() if kind == ImportKind.UNITS else scheme_sheets(year))


def datasets_json(datasets):
    return {name: {"headers": list(d.headers), "rows": [list(r) for r in d]} for name, d in datasets.items()}


def datasets_from_json(data):
    return [SheetData(name, [[None], d["headers"], *d["rows"]]) for name, d in data.items()]
