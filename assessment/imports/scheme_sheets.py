"""The scheme workbook (`/assessment/<year>/schemes.xlsx`): one sheet per part of a scheme, exported and imported.

Downloading a year's workbook and importing it for the next year gives the same year as 开始新年度
(tests/test_scheme_year_both_ways.py): every declared field of every part travels (assessment.scheme_fields),
dates move on by the years between the file's year and the year it is imported into, and the preview
says every change of the scoring in words (“区镇满分 2.00 → 22.00”).
"""

import re

from assessment.imports.flat import Numbered, describe_result, duplicates, resource_sheet
from assessment.imports.reading import cell_text, problem
from assessment.imports.scheme_resources import (
    DueOverrideResource,
    IndicatorResource,
    NoteResource,
    RuleGroupResource,
    SchemeUnitResource,
)
from assessment.marks.services import HOW, start_cells
from assessment.models import Category, DueOverride, Indicator, Note, RuleGroup, Scheme, SchemeUnit
from assessment.scoring.live import scoring_schemes
from assessment.scoring.rules import rules_from_scheme

INDICATORS_SHEET = "考核指标"
NOTES_SHEET = "说明"
GROUPS_SHEET = "合并计分"
UNITS_SHEET = "参评单位"
OVERRIDES_SHEET = "截止日期调整"

# Each sheet: its resource, the columns that name a row, and the query of a year's rows.
SHEETS = {
    INDICATORS_SHEET: (IndicatorResource, ["类别", "顺序"]),
    NOTES_SHEET: (NoteResource, ["类别", "序号"]),
    GROUPS_SHEET: (RuleGroupResource, ["类别", "说明"]),
    UNITS_SHEET: (SchemeUnitResource, ["类别", "责任单位"]),
    OVERRIDES_SHEET: (DueOverrideResource, ["类别", "考核指标", "责任单位"]),
}

WIDTHS = {
    INDICATORS_SHEET: [14, 6, 40, 8, 18, 18, 10, 10, 26, 10, 18, 12, 10, 40, 16],
    NOTES_SHEET: [14, 6, 90, 12],
    GROUPS_SHEET: [14, 8, 8, 12],
    UNITS_SHEET: [14, 8, 30],
    OVERRIDES_SHEET: [14, 10, 30, 12, 40],
}


def _rows(sheet, year):
    if sheet == INDICATORS_SHEET:
        return (
            IndicatorResource(year)
            .get_queryset()
            .filter(scheme__year=year)
            .order_by("scheme__category__order", "order")
        )
    if sheet == NOTES_SHEET:
        return NoteResource(year).get_queryset().filter(scheme__year=year).order_by("scheme__category__order", "number")
    if sheet == GROUPS_SHEET:
        return (
            RuleGroup.objects.filter(scheme__year=year)
            .select_related("scheme__category", "note")
            .order_by("scheme__category__order", "note__number")
        )
    if sheet == UNITS_SHEET:
        return (
            SchemeUnit.objects.filter(scheme__year=year)
            .select_related("scheme__category", "unit")
            .order_by("scheme__category__order", "order", "pk")
        )
    return (
        DueOverride.objects.filter(indicator__scheme__year=year)
        .select_related("indicator__scheme__category", "unit")
        .order_by("indicator__scheme__category__order", "indicator__order", "unit__order")
    )


def scheme_sheets(year):
    """The year's scheme workbook: every part of its schemes, one sheet each."""
    return [
        resource_sheet(name, f"{year}年度 {name}", resource(year), _rows(name, year), WIDTHS[name])
        for name, (resource, _) in SHEETS.items()
    ]


def scheme_headers(year):
    return {name: _headers(resource(year)) for name, (resource, _) in SHEETS.items()}


def _headers(resource):
    return [f.column_name for f in resource.get_export_fields()]


def _source_year(datasets, year):
    """The year the file was written for, from a sheet's title row (“2019年度 考核指标”); else `year`."""
    for dataset in datasets.values():
        found = re.match(r"\s*(\d{4})年度", dataset.title or "")
        if found:
            return int(found.group(1))
    return year


def scoring(year):
    """{category: (full points, {item's title: its rule in words})} of the year's schemes (assessment.scoring)."""
    result = {}
    for scheme in scoring_schemes(Scheme.objects.filter(year=year)):
        rules = rules_from_scheme(scheme)
        items = {}
        for item in rules.items:
            words = [item.rule + (f"（说明{item.note_number}）" if item.is_group else "")]
            for col in item.columns:
                named = f"“{col.title}”" if item.is_group else ""
                if not col.in_full:
                    words.append(f"{named}不计入满分")
                if col.wording:
                    words.append(f"{named}扣分情况写作“{col.wording}”")
            items[item.title] = "，".join(words)
        result[scheme.category.name] = (rules.full_points, items)
    return result


def scoring_changes(before, after):
    """Every change of the scoring between two `scoring` results, in Chinese (“区镇满分 2.00 → 22.00”)."""
    lines = []
    for category, (full, items) in after.items():
        if category not in before:
            lines.append(f"{category}满分 {full:.2f}（新建方案，计分{len(items)}项）")
            continue
        old_full, old_items = before[category]
        if old_full != full:
            lines.append(f"{category}满分 {old_full:.2f} → {full:.2f}")
        for title, words in old_items.items():
            if title not in items:
                lines.append(f"{category}“{title}”不再这样计分：{words}")
            elif items[title] != words:
                lines.append(f"{category}“{title}”：{words} → {items[title]}")
        lines += [f"{category}“{title}”新的计分：{words}" for title, words in items.items() if title not in old_items]
    return lines


class _Sheet(Numbered):
    pass


def _resource(name, year, shift, user):
    resource_class = SHEETS[name][0]
    numbered = type(f"Numbered{resource_class.__name__}", (_Sheet, resource_class), {})
    return numbered(year, shift=shift, user=user)


def run_schemes(datasets, year, user, problems, changes, notes):
    """Import the scheme workbook's sheets into `year` (inside the caller's transaction).

    Returns the changes of the scoring in words (`scoring_changes`), for the preview."""
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
        duplicates(dataset, sheet_name, SHEETS[sheet_name][1], problems)
    if problems:
        return []
    before = scoring(year)
    source = _source_year(datasets, year)
    if source != year:
        notes.append(f"文件是{source}年度的考核方案：其中的截止日期顺延{year - source}年。")
    for name in sorted(wanted):
        if not Scheme.objects.filter(year=year, category=categories[name]).exists():
            Scheme.objects.create(year=year, category=categories[name])
            notes.append(f"新建{year}年度“{name}”考核方案。")
    indicators_before = set(Indicator.objects.filter(scheme__year=year).values_list("pk", flat=True))
    for name in SHEETS:
        dataset = datasets.get(name)
        if dataset is None or problems:
            continue
        resource = _resource(name, year, year - source, user)
        result = resource.import_data(dataset, use_transactions=True, raise_errors=False)
        describe_result(name, resource, result, problems, changes)
        notes += resource.notes
        if problems:
            return []
        if name == INDICATORS_SHEET:
            _cells_of_new_indicators(year, indicators_before, user, notes)
            _kept(dataset, year, wanted, notes)
        if name == GROUPS_SHEET:
            _remove_unlisted_groups(dataset, year, wanted, changes)
        if name == UNITS_SHEET:
            _kept_units(dataset, year, wanted, notes)
    if NOTES_SHEET in datasets and not problems:
        _remove_unlisted_notes(datasets[NOTES_SHEET], year, wanted, changes, problems)
    return scoring_changes(before, scoring(year))


def _kept(dataset, year, wanted, notes):
    listed = {(cell_text(r["类别"]), cell_text(r["顺序"])) for r in dataset.dict}
    kept = [
        f"{i.scheme.category.name}第{i.order}项“{i.title}”"
        for i in Indicator.objects.filter(scheme__year=year, scheme__category__name__in=wanted)
        .select_related("scheme__category")
        .order_by("scheme__category__order", "order")
        if (i.scheme.category.name, str(i.order)) not in listed
    ]
    if kept:
        notes.append(f"文件中没有的指标保持不变（导入不删除指标）：{'、'.join(kept)}。")


def _kept_units(dataset, year, wanted, notes):
    listed = {(cell_text(r["类别"]), cell_text(r["责任单位"])) for r in dataset.dict}
    kept = [
        su.unit.name
        for su in SchemeUnit.objects.filter(scheme__year=year, scheme__category__name__in=wanted)
        .select_related("scheme__category", "unit")
        .order_by("scheme__category__order", "order")
        if (su.scheme.category.name, su.unit.name) not in listed
    ]
    if kept:
        notes.append(f"文件中没有的参评单位保持不变（导入不移出单位）：{'、'.join(kept)}。")


def _remove_unlisted_groups(dataset, year, wanted, changes):
    listed = {(cell_text(r["类别"]), cell_text(r["说明"])) for r in dataset.dict}
    for group in RuleGroup.objects.filter(scheme__year=year, scheme__category__name__in=wanted).select_related(
        "scheme__category", "note"
    ):
        if (group.scheme.category.name, str(group.note.number)) not in listed:
            changes.append(
                {
                    "sheet": GROUPS_SHEET,
                    "row": None,
                    "action": "删除",
                    "object": f"{group.scheme.category} 说明第{group.note.number}条合并计分",
                    "fields": [],
                }
            )
            group.indicators.update(rule_group=None)
            group.delete()


def _remove_unlisted_notes(dataset, year, wanted, changes, problems):
    listed = {(cell_text(r["类别"]), cell_text(r["序号"])) for r in dataset.dict}
    stale = [
        n
        for n in Note.objects.filter(scheme__year=year, scheme__category__name__in=wanted).select_related(
            "scheme__category"
        )
        if (n.scheme.category.name, str(n.number)) not in listed
    ]
    for note in stale:
        refusal = note.deletion_refusal()  # a note a 合并计分 rule still scores under stays
        if refusal:
            problems.append(problem(f"文件中没有{note.scheme.category}说明第{note.number}条：{refusal}", NOTES_SHEET))
            continue
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


def _cells_of_new_indicators(year, before, user, notes):
    new = Indicator.objects.filter(scheme__year=year).exclude(pk__in=before).select_related("scheme")
    for indicator in new:
        units = list(indicator.scheme.scheme_units.values_list("unit_id", flat=True))
        marks = start_cells(indicator, units, user, HOW.IMPORT)
        if marks:
            notes.append(
                f"新增指标“{indicator.title}”：为{len(marks)}家参评单位建立完成情况，初始为“{marks[0].display}”。"
            )
