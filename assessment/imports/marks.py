"""Importing marks: the progress workbook previewed cell by cell, applied through `bulk_set_marks`."""

import re

from django.core.exceptions import ValidationError
from openpyxl.utils import get_column_letter

from assessment.imports.reading import cell_text, check_header, data_rows, last_data_row, problem, squash
from assessment.marks.services import HOW, bulk_set_marks
from assessment.models import Mark, Scheme, Unit
from assessment.tables import build_tables, schemes_with_parts
from core.errors import DomainError

_YEAR = re.compile(r"(\d{4})\s*年")


DEDUCTION_TYPED = "{unit}：“扣分情况”一栏由系统按得分生成，不能直接填写；请保留导出时的内容。"


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
        if not check_header(sheet, table.header, problems):
            continue
        merged = sheet.merges_in(3, last_data_row(sheet))
        if merged:
            problems.append(problem(f"表格中有合并单元格（{'、'.join(merged)}），请取消合并。", sheet.name))
            continue
        rows_by_name = {squash(row.unit.name): row for row in table.rows}
        seen, changed = {}, 0
        deduction_col = len(table.indicators) + 1
        for number, values in data_rows(sheet):
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
                # Like a derived 奖惩案例 number: said at its cell, not left out unnoticed.
                typed = DEDUCTION_TYPED.format(unit=row.unit.name)
                problems.append(problem(typed, sheet.name, number, deduction_col + 1))
            extra = [i + 1 for i in range(deduction_col + 1, len(values)) if cell_text(values[i])]
            if extra:
                problems.append(problem("表格右侧多出内容：不能增加列。", sheet.name, number, extra[0]))
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
