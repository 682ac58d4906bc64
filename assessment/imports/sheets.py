"""Importing units and schemes: which sheets a kind of import reads, and the session's record of them."""

from assessment.imports.flat import Numbered, describe_result, duplicates, fingerprint, read_flat, resource_sheet
from assessment.imports.reading import SheetData, squash
from assessment.imports.resources import UnitResource
from assessment.imports.scheme_sheets import run_schemes, scheme_headers, scheme_sheets
from assessment.models import ImportKind, Unit

__all__ = ["scheme_sheets", "units_sheets", "flat_import", "current_fingerprint", "datasets_json", "datasets_from_json"]

UNITS_SHEET = "责任单位"

UNIT_WIDTHS = [16, 8, 30, 40, 10]


def units_sheets():
    units = Unit.objects.select_related("category").order_by("category__order", "order", "pk")
    return [resource_sheet(UNITS_SHEET, "责任单位", UnitResource(), units, UNIT_WIDTHS)]


class _Units(Numbered, UnitResource):
    pass


def _run_units(datasets, user, problems, changes, notes):
    dataset = datasets.get(UNITS_SHEET)
    if dataset is None:
        return
    duplicates(dataset, UNITS_SHEET, ["名称（按通报）"], problems)
    if problems:
        return
    resource = _Units()
    result = resource.import_data(dataset, use_transactions=True, raise_errors=False)
    describe_result(UNITS_SHEET, resource, result, problems, changes)
    listed = {squash(r["名称（按通报）"]) for r in dataset.dict}
    others = [u for u in Unit.objects.values_list("name", flat=True) if squash(u) not in listed]
    if others:
        notes.append(f"文件中没有的{len(others)}家单位保持不变（导入不删除单位）。")


def flat_import(kind, sheets, year, user):
    """Run the Resources inside a transaction and report; the caller decides whether to keep it."""
    problems, changes, notes, scoring = [], [], [], []
    expected = {UNITS_SHEET: _headers(UnitResource())} if kind == ImportKind.UNITS else scheme_headers(year)
    datasets = read_flat(sheets, expected, problems)
    if not problems:
        if kind == ImportKind.UNITS:
            _run_units(datasets, user, problems, changes, notes)
        else:
            scoring = run_schemes(datasets, year, user, problems, changes, notes)
    return datasets, {"changes": changes, "errors": problems, "notes": notes, "scoring": scoring}


def _headers(resource):
    return [f.column_name for f in resource.get_export_fields()]


def current_fingerprint(kind, year):
    return fingerprint(units_sheets() if kind == ImportKind.UNITS else scheme_sheets(year))


def datasets_json(datasets):
    return {
        name: {"title": d.title or "", "headers": list(d.headers), "rows": [list(r) for r in d]}
        for name, d in datasets.items()
    }


def datasets_from_json(data):
    return [SheetData(name, [[d.get("title")], d["headers"], *d["rows"]]) for name, d in data.items()]
