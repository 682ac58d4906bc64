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
    "published bulletin page",
    "progress.xlsx",
    "progress.xlsx made from the snapshot",
    "progress.xlsx of the year /assessment/2019/",
    "PDF",
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
    assert by_name["progress.xlsx of the year /assessment/2019/"]["ratio"] != "—"
    assert by_name["published bulletin page, gunicorn 2 workers"]["req/s"] != "—"
    assert not _scratch_dirs() - before


def test_the_inner_run_refuses_any_database_but_its_scratch():
    with pytest.raises(CommandError, match="临时数据库"):
        call_command("benchmark", "--inner")


@pytest.mark.django_db
def test_province_units_get_a_mark_in_every_column_each_validated():
    """The generated units' marks pass the models' validation, the derived 奖惩案例 column included
    (it holds a word, as in the demo: its number comes from the case records)."""
    import random

    from assessment.derived import is_derived
    from assessment.models import Mark
    from kunshan_credit.bench import data

    before = Mark.objects.count()
    made = data._extra_units(data.Scale("test", units=76, cases=0, changed_cells=0), random.Random(1), True)
    assert made["units"] == 6 and made["checked"] == made["units"] + made["marks"]
    new = Mark.objects.order_by("-pk")[: made["marks"]].select_related("indicator")
    assert Mark.objects.count() == before + made["marks"]
    assert {m.count for m in new if is_derived(m.indicator)} == {None}
