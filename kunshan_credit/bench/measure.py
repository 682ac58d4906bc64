"""Times each page and download with Django's test Client, and req/s under a gunicorn of its own.

Every loop is bounded twice: at most `repeat` requests and at most `budget` seconds per row
(the first request always runs, however long it takes); the gunicorn load runs `seconds` per row
with at most 100,000 requests. The first request of a row is shown on its own ("first").
A published issue's PDF is made once, by `manage.py render_documents` in a process of its own
(cron, after publication): that process is timed here and its peak memory read (`made_once_rows`),
and the download rows then serve the stored file.
"""

import http.client
import io
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

from assessment.models import ImportSession
from bulletins import documents

from . import data

MAX_LOAD_REQUESTS = 100_000
LOAD_THREADS = 4
GUNICORN_WORKERS = 2
BARE_TABLE = "bare HTML table, one query"
BARE_XLSX = "bare openpyxl write-only"
# The same view requested by the signed-in office: what every staff request pays before its view runs (the
# session, the user, the second factor's device, the role's groups: 4 queries), which an anonymous request
# never does. The year's progress.xlsx is staff-only, so it is compared with this one; the anonymous
# downloads keep the row above.
BARE_XLSX_SIGNED_IN = "bare openpyxl write-only, signed in"
TRIVIAL = "trivial view"
PDF_MADE = "PDF made by render_documents"
NOTHING_MADE = "render_documents, nothing to make"
COLUMNS = [
    "what",
    "n",
    "first ms",
    "p50 ms",
    "p95 ms",
    "p50 CPU ms",
    "queries",
    "KB",
    "peak MB",
    "req/s",
    "compared with",
    "ratio",
]
WRK_THREADS, WRK_CONNECTIONS = 2, 8


@dataclass
class Row:
    what: str
    baseline: str = ""
    times: list = field(default_factory=list)  # seconds, wall
    cpu: list = field(default_factory=list)  # seconds of this process's CPU per request (not the database server's)
    requests: int | None = None  # the requests of a wrk row (its times are wrk's, not listed)
    queries: int | None = None
    size: int | None = None
    rate: float | None = None  # requests per second (gunicorn rows)
    peak_mb: float | None = None  # the peak memory (RSS) of the process that made it (render_documents rows)
    error: str = ""

    def quantile(self, q, times=None):
        """Nearest-rank quantile of the times (wall, or `times`), in ms."""
        ordered = sorted(self.times if times is None else times)
        return 1000 * ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else None


class QueryCounter:
    """Counts every query (CaptureQueriesContext keeps only the last 9,000: an import makes more)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def timed(row, request, *, repeat, budget, prepare=None, check=None):
    """Run `request()` up to `repeat` times within `budget` seconds; `prepare()` (untimed) gives its argument."""
    started = time.perf_counter()
    try:
        for _ in range(max(1, repeat)):
            argument = prepare() if prepare else None
            queries = QueryCounter()
            with connection.execute_wrapper(queries):
                t0, c0 = time.perf_counter(), time.process_time()
                response = request(argument) if prepare else request()
                body = _body(response)
                row.times.append(time.perf_counter() - t0)
                row.cpu.append(time.process_time() - c0)
            if check:
                check(response, argument)
            elif response.status_code != 200:
                raise RuntimeError(f"HTTP {response.status_code}")
            row.queries, row.size = queries.count, len(body)
            if time.perf_counter() - started > budget:
                break
    except Exception as exc:  # a broken page is a row of the table, not the end of the run
        row.error = f"{type(exc).__name__}: {exc}"[:120]
    return row


# --- import confirm: the year's workbook with N cells flipped between √ and *, uploaded, then confirmed


def flipped_workbook(content, wanted):
    """The workbook with `wanted` √/* cells flipped, spread evenly over all such cells; (bytes, flipped)."""
    wb = load_workbook(io.BytesIO(content))
    cells = [
        cell
        for ws in wb.worksheets
        for row in ws.iter_rows(min_row=3, min_col=2)
        for cell in row
        if cell.value in ("√", "*")
    ]
    step = max(1, len(cells) // max(1, wanted))
    chosen = cells[::step][:wanted]
    for cell in chosen:
        cell.value = "*" if cell.value == "√" else "√"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), len(chosen)


def import_row(client, scale, repeat, budget):
    year = data.YEAR
    row = Row(f"import confirm, {scale.changed_cells} changed cells")

    def prepare():
        exported = _body(client.get(f"/assessment/{year}/progress.xlsx"))
        content, flipped = flipped_workbook(exported, scale.changed_cells)
        upload = io.BytesIO(content)
        upload.name = "工作进展通报.xlsx"
        response = client.post(f"/assessment/{year}/import/", {"file": upload})
        if response.status_code != 302:
            raise RuntimeError(f"upload: HTTP {response.status_code}")
        session = ImportSession.objects.get(token=response["Location"].rstrip("/").split("/")[-1])
        if len(session.changes) != flipped:
            raise RuntimeError(f"preview shows {len(session.changes)} changes, {flipped} cells were flipped")
        return session

    def confirm(session):
        return client.post(f"/assessment/import/{session.token}/confirm/")

    def check(response, session):
        session.refresh_from_db()
        if response.status_code != 302 or session.status != ImportSession.Status.DONE:
            status = f"{session.get_status_display()} {session.message}"
            raise RuntimeError(f"confirm: HTTP {response.status_code}, {status}")

    # Each confirm applies a fresh preview: at most a few rounds at province (each is an upload too).
    return timed(row, confirm, repeat=min(repeat, 5), budget=budget, prepare=prepare, check=check)


# --- the PDF as it is made after publication: manage.py render_documents, a process of its own


def run_measured(argv):
    """Run a child process to its end; (seconds, its peak RSS in MB, its output), through bench/peak.py."""
    started = time.perf_counter()
    launcher = [sys.executable, str(Path(__file__).with_name("peak.py"))]
    done = subprocess.run(launcher + argv, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"exit {done.returncode}: {(done.stdout + done.stderr)[-200:]}")
    *output, peak_kb = done.stdout.splitlines()
    return elapsed, int(peak_kb) / 1024, "\n".join(output)


def made_once_rows(issue):
    """render_documents making the issue's PDF (Word and Excel stored beforehand, so it makes only that),
    then once more with nothing to make: the cost of the process itself (Python, Django) to compare with."""
    version = issue.current_version
    for kind in ("xlsx", "docx"):
        documents.store(version, kind)
    argv = [sys.executable, str(settings.BASE_DIR / "manage.py"), "render_documents"]
    rows = [Row(PDF_MADE, NOTHING_MADE), Row(NOTHING_MADE)]
    for row in rows:
        print(f"  {row.what}…", file=sys.stderr, flush=True)
        try:
            elapsed, row.peak_mb, _ = run_measured(argv)
            row.times.append(elapsed)
        except (OSError, RuntimeError) as exc:
            row.error = f"{type(exc).__name__}: {exc}"[:120]
    if not rows[0].error:
        if documents.is_stored(version, "pdf"):
            rows[0].size = default_storage.size(documents.stored_name(version, "pdf"))
        else:
            rows[0].error = "render_documents stored no PDF"
    return rows


def client_rows(scale, issue, repeat, budget):
    office = get_user_model().objects.get(username="office")
    anonymous, staff = Client(), Client()
    staff.force_login(office)
    # Past the second factor as django_otp.login leaves a session (a device made in the scratch database).
    device, _ = TOTPDevice.objects.get_or_create(user=office, name="基准测试", defaults={"confirmed": True})
    session = staff.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    page = f"/bulletins/{issue.year}/{issue.number}/"
    bench = f"/__bench__/{issue.year}/{issue.number}/"
    year = issue.year
    plan = [
        (TRIVIAL, anonymous, "/__bench__/trivial/", ""),
        (BARE_TABLE, anonymous, bench + "table/", ""),
        (BARE_XLSX, anonymous, bench + "cells.xlsx", ""),
        (BARE_XLSX_SIGNED_IN, staff, bench + "cells.xlsx", ""),
        ("published bulletin page", anonymous, page, BARE_TABLE),
        ("progress.xlsx", anonymous, page + "progress.xlsx", BARE_XLSX),
        # The stored file above is made once per version; these two write the workbook on every request.
        ("progress.xlsx made from the snapshot", anonymous, bench + "progress.xlsx", BARE_XLSX),
        (
            f"progress.xlsx of the year /assessment/{year}/",
            staff,
            f"/assessment/{year}/progress.xlsx",
            BARE_XLSX_SIGNED_IN,
        ),
        ("PDF, stored", anonymous, page + "issue.pdf", ""),
        ("Word", anonymous, page + "issue.docx", ""),
        ("departments grid", staff, f"/assessment/{year}/departments/", BARE_TABLE),
        ("scores page", staff, f"/assessment/{year}/scores/", BARE_TABLE),
        (f"quarterly table /cases/{year}/", staff, f"/cases/{year}/", BARE_TABLE),
        ("case list", staff, "/cases/", BARE_TABLE),
    ]
    rows = []
    for what, client, url, baseline in plan:
        if what == "PDF, stored":
            rows += made_once_rows(issue)
        print(f"  {what}…", file=sys.stderr, flush=True)
        rows.append(timed(Row(what, baseline), lambda c=client, u=url: c.get(u), repeat=repeat, budget=budget))
    print("  import confirm…", file=sys.stderr, flush=True)
    rows.append(import_row(staff, scale, repeat, budget))
    return rows


# --- gunicorn on 127.0.0.1: requests per second


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def load(port, path, seconds):
    """Requests from LOAD_THREADS threads for `seconds`; (requests per second, latencies, error)."""
    latencies, errors = [], []
    deadline = time.perf_counter() + seconds
    lock = threading.Lock()

    def worker():
        while time.perf_counter() < deadline and len(latencies) < MAX_LOAD_REQUESTS:
            t0 = time.perf_counter()
            status = _get(port, path)
            with lock:
                if status != 200:
                    errors.append(status)
                    return
                latencies.append(time.perf_counter() - t0)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(LOAD_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, (f"HTTP {errors[0]}" if errors else "")


def wrk_path():
    return shutil.which("wrk")


def load_method():
    """How the gunicorn rows' req/s are measured, said plainly in the output."""
    if wrk_path():
        return f"req/s by wrk ({WRK_THREADS} threads, {WRK_CONNECTIONS} connections)"
    return (
        "req/s by Python threads in this process: wrk is not installed (apt-get install wrk); "
        "the threads top out near 2,300 req/s, so fast pages read slower than they are"
    )


def load_wrk(port, path, seconds):
    """wrk for `seconds` (whole seconds, at least 1); (requests per second, requests, error)."""
    argv = [wrk_path(), f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{max(1, round(seconds))}s"]
    done = subprocess.run([*argv, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, timeout=120)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    count = re.search(r"(\d+) requests in", done.stdout)
    if done.returncode or not rate or not count:
        return None, None, f"wrk: {(done.stderr or done.stdout).strip()[-100:]}"
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    return float(rate[1]), int(count[1]), (f"{bad[1]} responses not 2xx/3xx" if bad else "")


def server_rows(issue, seconds, workdir):
    port = free_port()
    log = open(os.path.join(workdir, "gunicorn.log"), "wb")  # noqa: SIM115  (closed below)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "kunshan_credit.bench.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(GUNICORN_WORKERS), "--log-level", "warning", "--chdir", str(settings.BASE_DIR)]
        + ["--no-control-socket"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    suffix = f", gunicorn {GUNICORN_WORKERS} workers"
    plan = [
        (TRIVIAL + suffix, "/__bench__/trivial/", ""),
        (BARE_TABLE + suffix, f"/__bench__/{issue.year}/{issue.number}/table/", TRIVIAL + suffix),
        ("published bulletin page" + suffix, f"/bulletins/{issue.year}/{issue.number}/", TRIVIAL + suffix),
    ]
    rows = [Row(what, baseline) for what, _, baseline in plan]
    try:
        for _ in range(600):  # up to 60 s to start (a loaded machine)
            try:
                _get(port, plan[0][1])
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.1)
        for row, (_, path, _) in zip(rows, plan, strict=True):
            print(f"  {row.what}…", file=sys.stderr, flush=True)
            try:
                _get(port, path)  # warm: each worker imports lazily on its first request
                if wrk_path():
                    row.rate, row.requests, row.error = load_wrk(port, path, seconds)
                else:
                    row.rate, row.times, row.error = load(port, path, seconds)
            except OSError as exc:
                row.error = f"{type(exc).__name__}: {exc}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    return rows


# --- the table


def _ms(value):
    if value is None:
        return "—"
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"


def _ratio(value):
    if value is None:
        return "—"
    if value >= 1:
        return f"{value:.1f}×"
    inverse = 1 / value
    return f"1/{inverse:.1f}" if inverse < 10 else f"1/{inverse:,.0f}"


def table(rows):
    """The one table: a markdown table, so it can be pasted into an issue or the README as it is."""
    by_name = {r.what: r for r in rows}
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        base = by_name.get(r.baseline)
        ratio = None
        if base and not r.error and not base.error:
            if r.rate is not None and base.rate:
                ratio = r.rate / base.rate
            elif r.times and base.times:
                ratio = r.quantile(0.5) / base.quantile(0.5)
        cells = [
            r.what,
            str(r.requests if r.requests is not None else len(r.times)),
            "—" if r.rate is not None else _ms(1000 * r.times[0] if r.times else None),
            _ms(r.quantile(0.5)),
            _ms(r.quantile(0.95)),
            _ms(r.quantile(0.5, r.cpu)),
            "—" if r.queries is None else str(r.queries),
            "—" if r.size is None else f"{r.size / 1024:,.1f}",
            "—" if r.peak_mb is None else f"{r.peak_mb:,.0f}",
            "—" if r.rate is None else f"{r.rate:,.0f}",
            r.baseline or "—",
            _ratio(ratio),
        ]
        if r.error:
            cells[3] = f"failed: {r.error}"
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)
