"""The assessment's tables as workbook sheets: the progress tables as printed and the year's scores."""

from core.excel import Sheet


def progress_sheets(tables, title_prefix=""):
    """Sheets for progress tables, cells as printed, counts as numbers.

    `tables`: the year's PrintedTables (assessment.tables.printed_tables), or the frozen form a published
    issue keeps (bulletins.snapshot: dicts with category, header, rows of unit/values/deduction_text, notes).
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
                [unit, *[_excel_value(t) for t in texts], deduction or None] for unit, texts, deduction in table.rows
            )
            notes = [f"{n.number}. {n.text}" for n in table.notes]
        yield Sheet(name=name, title=f"{title_prefix}{name}工作进展通报", header=header, rows=rows, notes=notes)


def _excel_value(text):
    """A cell's shown text (None: no cell) as the workbook holds it: a number as a number, "" kept as text."""
    if text is None:
        return None
    return int(text) if text.isdigit() else text


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
            header = ["名次", c.category, "满分", "扣分", "得分", "扣分情况"]
            rows = (
                [u.rank_label, u.unit_name, u.full_points, u.deduction, u.score, u.deduction_text or None]
                for u in c.units
            )
        yield Sheet(
            name=f"{c.category}得分",
            title=f"{title} {c.category}",
            header=header,
            rows=rows,
            widths=[12, 24] + [12] * (len(header) - 2) if live else [12, 24, 12, 12, 12, 60],
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
