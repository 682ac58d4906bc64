"""manage.py benchmark: runs end to end in its own scratch SQLite and prints the one table (never timed here)."""

import io
import os
import tempfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kunshan_credit.bench.measure import COLUMNS

ROWS = [
    "trivial view",
    "bare HTML table, one query",
    "bare openpyxl write-only",
    "bare openpyxl write-only, signed in",
    "published bulletin page",
    "progress.xlsx",
    "progress.xlsx made from the snapshot",
    "progress.xlsx of the year /assessment/2019/",
    "PDF made by render_documents",
    "render_documents, nothing to make",
    "PDF, stored",
    "Word",
    "departments grid",
    "scores page",
    "quarterly table /cases/2019/",
    "case list",
    "import confirm, 60 changed cells",
    "trivial view, gunicorn 2 workers",
    "bare HTML table, one query, gunicorn 2 workers",
    "published bulletin page, gunicorn 2 workers",
]


def _scratch_dirs():
    return {name for name in os.listdir(tempfile.gettempdir()) if name.startswith("kc_bench_")}


def test_city_benchmark_prints_every_row_and_column_and_leaves_nothing_behind():
    before = _scratch_dirs()
    out = io.StringIO()
    try:
        call_command("benchmark", "--scale", "city", "--repeat", "1", "--seconds", "0.2", stdout=out)
    except CommandError as exc:
        pytest.fail(f"{exc}\n{out.getvalue()}")
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("scale city: 70 units, 636 marks, 703 cases on sqlite")
    table = [line for line in lines if line.startswith("|")]
    assert table[0] == "| " + " | ".join(COLUMNS) + " |"
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table[2:]]
    assert [row[0] for row in rows] == ROWS
    assert all(len(row) == len(COLUMNS) for row in rows)
    assert not [row for row in rows if row[3].startswith("failed")]
    by_name = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in rows}
    assert by_name["published bulletin page"]["compared with"] == "bare HTML table, one query"
    assert by_name["progress.xlsx"]["ratio"] != "—"
    assert by_name["progress.xlsx made from the snapshot"]["compared with"] == "bare openpyxl write-only"
    year_xlsx = by_name["progress.xlsx of the year /assessment/2019/"]
    assert year_xlsx["compared with"] == "bare openpyxl write-only, signed in" and year_xlsx["ratio"] != "—"
    made = by_name["PDF made by render_documents"]
    assert float(made["peak MB"].replace(",", "")) > 50  # render_documents with Django, and its Typst child
    assert made["KB"] == by_name["PDF, stored"]["KB"]  # the stored file is what readers download
    assert by_name["published bulletin page, gunicorn 2 workers"]["req/s"] != "—"
    assert not _scratch_dirs() - before


def test_the_inner_run_refuses_any_database_but_its_scratch():
    with pytest.raises(CommandError, match="临时数据库"):
        call_command("benchmark", "--inner")


def test_units_beyond_the_demo_pass_the_models_validation(db):
    """The province's extra units and their marks, each checked by full_clean (the 奖惩案例 column is counted)."""
    import random

    from assessment.models import Mark, Unit
    from kunshan_credit.bench import data

    before = Unit.objects.count()
    made = data._extra_units(data.Scale("test", units=before + 20, cases=0, changed_cells=0), random.Random(1), True)
    assert made["units"] == 20 and Unit.objects.count() == before + 20
    assert made["checked"] == made["units"] + made["marks"]
    new_marks = Mark.objects.filter(unit__in=Unit.objects.order_by("-pk")[:20]).select_related("indicator")
    derived = [m for m in new_marks if m.indicator.is_derived]
    assert derived and all(m.count is None for m in derived)
