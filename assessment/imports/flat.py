"""The flat sheets (header row + rows) of the units and scheme workbooks, handed to import-export Resources."""

import hashlib
import json

import tablib

from assessment.imports.reading import cell_text, check_header, data_rows, last_data_row, problem, squash
from core.excel import Sheet


def resource_sheet(name, title, resource, queryset, widths):
    dataset = resource.export(queryset)
    return Sheet(name=name, title=title, header=list(dataset.headers), rows=list(dataset), widths=widths)


def fingerprint(sheets):
    """What the data looked like at preview: confirm refuses if it has changed since."""
    data = [[s.name, s.header, [[cell_text(v) for v in row] for row in s.rows]] for s in sheets]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def read_flat(sheets, expected, problems):
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
        # The title row (“2019年度 考核指标”) says which year the sheet was written for.
        title = cell_text(sheet.row(1)[0]) if sheet.row(1) else ""
        datasets[sheet.name.strip()] = tablib.Dataset(*rows, headers=header, title=title)
    if not datasets and not problems:
        problems.append(problem(f"工作簿中没有可导入的工作表（应为：{'、'.join(expected)}）。"))
    return datasets


def duplicates(dataset, sheet_name, key_columns, problems):
    seen = {}
    for number, row in enumerate(dataset.dict, start=3):
        key = tuple(squash(row[c]) for c in key_columns)
        if key in seen:
            label = " · ".join(cell_text(row[c]) for c in key_columns)
            problems.append(problem(f"“{label}”重复出现（第{seen[key]}行已有）。", sheet_name, number, 1))
        else:
            seen[key] = number


def describe_result(sheet_name, resource, result, problems, changes):
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


class Numbered:
    """Mixin: remember each row's dataset number on its RowResult (import-export does not)."""

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        row_result._kc_number = kwargs.get("row_number", 0)
        return row_result
