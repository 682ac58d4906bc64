"""The pages and downloads timed with Django's test Client in this process, the import, and the documents as
render_documents makes them.

A published issue's PDF and Word file are made once, by `manage.py render_documents` in a process of its own
(cron, after publication; a reader's download never makes them): that process is timed here and its peak memory
read (`made_once_rows`), and the download rows then serve the stored files.
The import is timed as the office does it: its own export of the year uploaded, the preview read, the changes
confirmed (`import_row`).
"""

import functools
import io
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

from assessment.models import ImportSession
from bulletins import documents

from . import data
from .measure import TARGET, Row, body_of, timed, timed_in_turn

BARE_TABLE = "bare HTML table, one query"
BARE_XLSX = "bare openpyxl write-only"
# The same view requested by the signed-in office: what every staff request pays before its view runs (the
# session, the user, the second factor's device, the role's groups: 4 queries), which an anonymous request
# never does. The year's progress.xlsx is staff-only, so it is compared with this one; the anonymous
# downloads keep the row above.
BARE_XLSX_SIGNED_IN = "bare openpyxl write-only, signed in"
TRIVIAL = "trivial view"
NOTHING_MADE = "render_documents, nothing to make"
MADE = {"pdf": "PDF made by render_documents", "docx": "Word made by render_documents"}


def own_baseline_pages(year):
    """(row, URL) of the pages compared with a baseline of their own rows (baselines.py: under /__bench__/)."""
    return [
        ("departments grid", f"/assessment/{year}/departments/"),
        ("departments grid, units with a *", f"/assessment/{year}/departments/?pending=1"),
        ("departments grid, a name", f"/assessment/{year}/departments/?q=0001"),
        ("departments grid, overdue", f"/assessment/{year}/departments/?due=overdue"),
        (f"year page /assessment/{year}/", f"/assessment/{year}/"),
        ("units index /units/", "/units/"),
        (f"overview /overview/{year}/", f"/overview/{year}/"),
        ("scores page", f"/assessment/{year}/scores/"),
        (f"quarterly table /cases/{year}/", f"/cases/{year}/"),
        ("case list", "/cases/"),
    ]


def own_baseline(what):
    return f"{what}: raw SQL, bare HTML"


# --- import: the year's workbook exported by the office, N cells flipped between √ and *, uploaded,
# previewed and confirmed


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
    """Upload + preview + confirm, timed as one: what the office waits for between choosing the file and
    seeing the marks changed. The export and the flipping (the office's editing in Excel) are not timed."""
    year = data.YEAR
    row = Row(f"import upload + preview + confirm, {scale.changed_cells} changed cells of {scale.units:,} units")

    def prepare():
        exported = body_of(client.get(f"/assessment/{year}/progress.xlsx"))
        content, flipped = flipped_workbook(exported, scale.changed_cells)
        return content, flipped

    def upload_preview_confirm(argument):
        content, flipped = argument
        upload = io.BytesIO(content)
        upload.name = "工作进展通报.xlsx"
        response = client.post(f"/assessment/{year}/import/", {"file": upload})
        if response.status_code != 302:
            raise RuntimeError(f"upload: HTTP {response.status_code}")
        preview = client.get(response["Location"])
        if preview.status_code != 200:
            raise RuntimeError(f"preview: HTTP {preview.status_code}")
        session = ImportSession.objects.get(token=response["Location"].rstrip("/").split("/")[-1])
        if len(session.changes) != flipped:
            raise RuntimeError(f"preview shows {len(session.changes)} changes, {flipped} cells were flipped")
        confirmed = client.post(f"/assessment/import/{session.token}/confirm/")
        confirmed.import_session = session
        return confirmed

    def check(response, _argument):
        session = response.import_session
        session.refresh_from_db()
        if response.status_code != 302 or session.status != ImportSession.Status.DONE:
            status = f"{session.get_status_display()} {session.message}"
            raise RuntimeError(f"confirm: HTTP {response.status_code}, {status}")

    # Each round is a fresh export and upload: at most a few rounds at province.
    return timed(row, upload_preview_confirm, repeat=min(repeat, 5), budget=budget, prepare=prepare, check=check)


# --- the PDF and the Word file as they are made after publication: manage.py render_documents, a process


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
    """render_documents making the issue's PDF, then its Word file, each run with only that file missing (the
    others stored beforehand), then once more with nothing to make: the process itself (Python, Django)."""
    version = issue.current_version
    for kind in ("xlsx", "docx"):
        documents.store(version, kind)
    argv = [sys.executable, str(settings.BASE_DIR / "manage.py"), "render_documents"]
    rows = []
    for kind in ("pdf", "docx", None):
        row = Row(MADE[kind], NOTHING_MADE) if kind else Row(NOTHING_MADE)
        print(f"  {row.what}…", file=sys.stderr, flush=True)
        if kind == "docx":  # made beforehand so that the PDF's run made only the PDF: made again by this run
            default_storage.delete(documents.stored_name(version, "docx"))
        try:
            elapsed, row.peak_mb, _ = run_measured(argv)
            row.times.append(elapsed)
            if kind and not documents.is_stored(version, kind):
                row.error = f"render_documents stored no {documents.LABELS[kind]} file"
            elif kind:
                row.size = default_storage.size(documents.stored_name(version, kind))
        except (OSError, RuntimeError) as exc:
            row.error = f"{type(exc).__name__}: {exc}"[:120]
        rows.append(row)
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
    # (row, client, URL, the row it is compared with, and when that baseline is its alone, the baseline's URL:
    # the two are then timed in turn, measure.timed_in_turn, so that both meet the machine's same drift)
    plan = [
        (TRIVIAL, anonymous, "/__bench__/trivial/", "", ""),
        (BARE_TABLE, anonymous, bench + "table/", "", ""),
        (BARE_XLSX, anonymous, bench + "cells.xlsx", "", ""),
        ("published bulletin page", anonymous, page, BARE_TABLE, ""),
        ("progress.xlsx", anonymous, page + "progress.xlsx", BARE_XLSX, ""),
        # The stored file above is made once per version; these two write the workbook on every request.
        ("progress.xlsx made from the snapshot", anonymous, bench + "progress.xlsx", BARE_XLSX, ""),
        (
            f"progress.xlsx of the year /assessment/{year}/",
            staff,
            f"/assessment/{year}/progress.xlsx",
            BARE_XLSX_SIGNED_IN,
            bench + "cells.xlsx",
        ),
        ("PDF, stored", anonymous, page + "issue.pdf", "", ""),
        ("Word, stored", anonymous, page + "issue.docx", "", ""),
    ]
    # Each page the office reads, then its own baseline (baselines.py: the same rows by one raw SQL query, a bare
    # HTML table) requested by the same signed-in client; the page's ratio against it.
    for what, url in own_baseline_pages(year):
        base_url = "/__bench__" + url.replace("/units/", f"/units/{year}/")
        plan.append((what, staff, url, own_baseline(what), base_url))
    rows = []
    for what, client, url, baseline, baseline_url in plan:
        if what == "PDF, stored":
            rows += made_once_rows(issue)
        print(f"  {what}…", file=sys.stderr, flush=True)
        row = Row(what, baseline, target=TARGET if baseline == own_baseline(what) else None)
        request = functools.partial(client.get, url)
        if baseline_url:
            timings = [(row, request), (Row(baseline), functools.partial(client.get, baseline_url))]
            rows += timed_in_turn(timings, repeat=repeat, budget=budget)
        else:
            rows.append(timed(row, request, repeat=repeat, budget=budget))
    print("  import…", file=sys.stderr, flush=True)
    rows.append(import_row(staff, scale, repeat, budget))
    return rows
