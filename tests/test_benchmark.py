"""manage.py benchmark: runs end to end in its own scratch SQLite and prints the one table (never timed here)."""

import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from kunshan_credit.bench import servers
from kunshan_credit.bench.measure import COLUMNS, Row, timed_in_turn

ROWS = [
    "trivial view",
    "bare HTML table, one query",
    "bare openpyxl write-only",
    "published bulletin page",
    "progress.xlsx",
    "progress.xlsx made from the snapshot",
    "progress.xlsx of the year /assessment/2019/",
    "bare openpyxl write-only, signed in",
    "PDF made by render_documents",
    "Word made by render_documents",
    "render_documents, nothing to make",
    "PDF, stored",
    "Word, stored",
    *[
        name
        for page in [
            "departments grid",
            "departments grid, units with a *",
            "departments grid, a name",
            "departments grid, overdue",
            "year page /assessment/2019/",
            "units index /units/",
            "overview /overview/2019/",
            "scores page",
            "quarterly table /cases/2019/",
            "case list",
        ]
        for name in (page, f"{page}: raw SQL, bare HTML")
    ],
    "import upload + preview + confirm, 60 changed cells of 70 units",
]
WRK_ROWS = [
    "trivial view, gunicorn 2 workers",
    "bare HTML table, one query, gunicorn 2 workers",
    "published bulletin page, gunicorn 2 workers",
]
NGINX_ROWS = [
    "the page's bytes as a static file, nginx",
    "published bulletin page, nginx (its page cache) → gunicorn",
    "published bulletin page, nginx without its page cache → gunicorn",
    "page at 200 connections, nginx without page cache, max_requests 2000±200",
    "page at 200 connections, nginx without page cache, max_requests off, worker RSS bound (shipped)",
    "page at 200 connections, nginx with its page cache, as shipped",
]


@pytest.fixture
def own_tmp(monkeypatch):
    """The run's temporary directories (the scratch, nginx's) in a folder of this test's own, since other runs may
    share /tmp; readable by nginx's workers (another user when started as root), as /tmp is."""
    folder = Path(tempfile.mkdtemp(prefix="kc_test_bench_"))
    folder.chmod(0o755)
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_city_benchmark_prints_every_row_and_column_and_leaves_nothing_behind(own_tmp):
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
    has_wrk, has_nginx = bool(servers.wrk_path()), bool(servers.nginx_path())
    assert [row[0] for row in rows] == ROWS + WRK_ROWS * has_wrk + NGINX_ROWS * (has_wrk and has_nginx)
    assert all(len(row) == len(COLUMNS) for row in rows)
    assert not [row for row in rows if row[3].startswith("failed")]
    by_name = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in rows}
    # Each page the office reads against its own baseline (the same rows by one raw SQL query, the same signed-in
    # client): the CPU ratio, the ≤ 3× target marked, the wall ratio beside it (tests/test_benchmark_baselines.py
    # checks that each baseline shows its page's rows).
    assert "ratio: CPU p50 of the row / CPU p50" in out.getvalue()
    for page in ("departments grid", "scores page", "case list", "units index /units/", "overview /overview/2019/"):
        row, baseline = by_name[page], by_name[f"{page}: raw SQL, bare HTML"]
        assert row["compared with"] == f"{page}: raw SQL, bare HTML"
        # one query beyond what the signed-in client's middleware asks (as the signed-in bare workbook: one too)
        assert baseline["queries"] == by_name["bare openpyxl write-only, signed in"]["queries"]
        assert row["ratio"].endswith("×") or row["ratio"].startswith("1/"), row
        assert row["目标 ≤ 3×"] in ("✓", "✗") and row["wall ratio"] != "—"
    assert by_name["published bulletin page"]["目标 ≤ 3×"] == "—"
    assert by_name["published bulletin page"]["compared with"] == "bare HTML table, one query"
    assert by_name["progress.xlsx"]["ratio"] != "—"
    assert by_name["progress.xlsx made from the snapshot"]["compared with"] == "bare openpyxl write-only"
    year_xlsx = by_name["progress.xlsx of the year /assessment/2019/"]
    assert year_xlsx["compared with"] == "bare openpyxl write-only, signed in" and year_xlsx["ratio"] != "—"
    made = by_name["PDF made by render_documents"]
    assert float(made["peak MB"].replace(",", "")) > 50  # render_documents with Django, and its Typst child
    assert made["KB"] == by_name["PDF, stored"]["KB"]  # the stored file is what readers download
    assert by_name["Word made by render_documents"]["KB"] == by_name["Word, stored"]["KB"]
    # CPU time beside wall time, the load average, and how req/s were measured, said plainly.
    assert by_name["published bulletin page"]["CPU ms"] != "—"
    assert "load average" in lines[1]
    if has_wrk:
        assert "req/s by wrk (2 threads, 8 connections; recycling rows 200 connections)" in out.getvalue()
        served = by_name["published bulletin page, gunicorn 2 workers"]
        assert served["req/s"] != "—" and served["CPU ms"] != "—" and served["ratio"] != "—"
    else:
        assert "no server rows: wrk is not installed" in out.getvalue()
    if has_wrk and has_nginx:
        for name in NGINX_ROWS[3:]:  # wrk's latency distribution, parsed: p50, p99 and their ratio
            row = by_name[name]
            assert row["p50 ms"] != "—" and row["p99 ms"] != "—" and row["compared with"] == "p99 / p50", row
            assert row["ratio"] != "—"
        assert by_name[NGINX_ROWS[1]]["compared with"] == NGINX_ROWS[0] and by_name[NGINX_ROWS[1]]["ratio"] != "—"
    elif has_wrk:
        assert "no nginx rows: nginx is not installed" in out.getvalue()
    assert not [path for path in own_tmp.iterdir() if path.name.startswith("kc_bench_")]  # scratch, nginx's


def test_the_readme_command_runs_without_a_secret_key():
    """manage.py gives the benchmark a throwaway key when DJANGO_SECRET_KEY is not set (its scratch signs nothing
    that outlives it); any other command still refuses to start without one."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DJANGO_DEBUG")}
    env["DJANGO_SETTINGS_MODULE"] = "kunshan_credit.settings"
    manage = str(settings.BASE_DIR / "manage.py")
    done = subprocess.run([sys.executable, manage, "benchmark", "--help"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "--database" in done.stdout
    done = subprocess.run([sys.executable, manage, "check"], env=env, capture_output=True, text=True)
    assert done.returncode != 0 and "DJANGO_SECRET_KEY is not set" in done.stderr


def test_database_takes_a_scratch_name_and_never_another():
    from kunshan_credit.management.commands.benchmark import scratch_name

    assert scratch_name("postgres://postgres@127.0.0.1:5432/kc_bench_province") == "kc_bench_province"
    assert scratch_name("postgres://postgres@127.0.0.1:5432/postgres") == f"kc_bench_{os.getpid()}"
    assert scratch_name("postgres://postgres@127.0.0.1:5432/kunshan_credit").startswith("kc_bench_")
    with pytest.raises(CommandError, match="postgres://"):
        scratch_name("mysql://localhost/kc_bench_x")


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


class _Answer:
    streaming = False

    def __init__(self, status):
        self.status_code, self.content = status, b"<p>x</p>"


def test_a_page_and_its_baseline_are_timed_in_turn_and_a_failing_row_stops_alone():
    """The machine's drift falls on a page and its baseline alike: page, baseline, page, … in the order given; a
    row that fails says so and is asked no more, while the other goes on to its `repeat`."""
    asked = []

    def ask(name, fail_from=None):
        def request():
            asked.append(name)
            failing = fail_from is not None and asked.count(name) >= fail_from
            return _Answer(500 if failing else 200)

        return request

    page, base = Row("page", "base", target=3.0), Row("base")
    rows = timed_in_turn([(page, ask("page", fail_from=3)), (base, ask("base"))], repeat=5, budget=60)

    assert rows == [page, base]
    assert asked[:6] == ["page", "base", "page", "base", "page", "base"]
    assert asked.count("page") == 3 and asked.count("base") == 5
    assert page.error == "RuntimeError: HTTP 500" and len(page.cpu) == 3 and not base.error
    assert len(base.times) == len(base.cpu) == 5 and base.size == len(b"<p>x</p>")
