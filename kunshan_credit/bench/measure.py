"""The benchmark's rows and its one table: what a row holds, how a request is timed in this process, the table.

Every loop is bounded twice: at most `repeat` requests and at most `budget` seconds per row (the first request
always runs, however long it takes). The first request of a row is shown on its own ("first"). The pages are
timed by `pages.py` (Django's test Client, in this process: wall and CPU time, queries; a page and its baseline
in turn, `timed_in_turn`), the servers by `servers.py` (wrk against gunicorn and nginx, each in processes of
their own).
"""

import math
import time
from dataclasses import dataclass, field

from django.db import connection

COLUMNS = [
    "what",
    "n",
    "first ms",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "CPU ms",
    "queries",
    "KB",
    "peak MB",
    "req/s",
    "compared with",
    "ratio",
    "目标 ≤ 3×",
    "wall ratio",
]
TARGET = 3.0  # issue 25: a page at most 3× the CPU of its bare raw-SQL baseline of the same rows
RATIO_NOTE = (
    "ratio: CPU p50 of the row / CPU p50 of the row it is compared with, for the pages in this process (each "
    "page against its own baseline: the same rows read by one raw SQL query and written as a bare HTML table, "
    "requested by the same signed-in client, the two timed in turn); req/s for the wrk rows, wall time for "
    "render_documents, p99 / p50 for the recycling rows. 目标 ≤ 3×: ✓ or ✗ for a page against its own baseline. "
    "wall ratio: wall p50 / wall p50 beside a CPU ratio."
)


@dataclass
class Row:
    what: str
    baseline: str = ""
    times: list = field(default_factory=list)  # seconds, wall
    cpu: list = field(default_factory=list)  # seconds of this process's CPU per request (not the database server's)
    cpu_each: float | None = None  # a wrk row: the servers' CPU seconds (gunicorn, nginx) per request, on average
    requests: int | None = None  # the requests of a wrk row (its times are wrk's, not listed)
    latency: dict = field(default_factory=dict)  # quantile -> ms, as wrk --latency printed them (wrk rows)
    queries: int | None = None
    size: int | None = None
    rate: float | None = None  # requests per second (wrk rows)
    peak_mb: float | None = None  # the peak memory (RSS) of the process that made it (render_documents rows)
    compared: str = ""  # what `ratio` compares when it is not the baseline's figure (e.g. "p99 / p50")
    target: float | None = None  # the most `ratio` may be (a page against its own baseline: TARGET)
    ratio: float | None = None
    error: str = ""

    def quantile(self, q, times=None):
        """Nearest-rank quantile of the times (wall, or `times`), in ms; a wrk row's from wrk's own figures."""
        if times is None and q in self.latency:
            return self.latency[q]
        ordered = sorted(self.times if times is None else times)
        return 1000 * ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else None


class QueryCounter:
    """Counts every query (CaptureQueriesContext keeps only the last 9,000: an import makes more)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def _once(row, request, check=None, argument=None):
    """One `request()` of `row`, timed (wall, this process's CPU) and its queries counted; raises when it failed
    (`check(response, argument)`, else any status but 200)."""
    queries = QueryCounter()
    with connection.execute_wrapper(queries):
        t0, c0 = time.perf_counter(), time.process_time()
        response = request()
        body = body_of(response)
        row.times.append(time.perf_counter() - t0)
        row.cpu.append(time.process_time() - c0)
    if check:
        check(response, argument)
    elif response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}")
    row.queries, row.size = queries.count, len(body)


def _failed(row, exc):
    row.error = f"{type(exc).__name__}: {exc}"[:120]


def timed(row, request, *, repeat, budget, prepare=None, check=None):
    """Run `request()` up to `repeat` times within `budget` seconds; `prepare()` (untimed) gives its argument."""
    started = time.perf_counter()
    try:
        for _ in range(max(1, repeat)):
            argument = prepare() if prepare else None
            _once(row, (lambda a=argument: request(a)) if prepare else request, check, argument)
            if time.perf_counter() - started > budget:
                break
    except Exception as exc:  # a broken page is a row of the table, not the end of the run
        _failed(row, exc)
    return row


def timed_in_turn(timings, *, repeat, budget):
    """Time each (row, request) of `timings` in turn, round after round (a page, its baseline, the page, …), up to
    `repeat` rounds within `budget` seconds a row: the machine's speed drifts over a run (other work, the
    processor's caches and clocks), and timed in turn a page and its baseline meet the same drift, so their
    ratio compares like with like. A row that fails stops being requested; the others go on."""
    started = time.perf_counter()
    for _ in range(max(1, repeat)):
        for row, request in timings:
            if not row.error:
                try:
                    _once(row, request)
                except Exception as exc:  # as in timed: a row of the table, not the end of the run
                    _failed(row, exc)
        if time.perf_counter() - started > budget * len(timings):
            break
    return [row for row, _ in timings]


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


def _cpu_ratio(row, base):
    """CPU p50 over the baseline's, when both were timed in this process (the pages, their baselines)."""
    if row.cpu and base.cpu:
        baseline = base.quantile(0.5, base.cpu)
        return row.quantile(0.5, row.cpu) / baseline if baseline else None
    return None


def _wall_ratio(row, base):
    if (row.times or row.latency) and (base.times or base.latency):
        return row.quantile(0.5) / base.quantile(0.5)
    return None


def _row_ratios(row, base):
    """(ratio, wall ratio): CPU for pages, req/s for wrk rows, else wall time; the wall ratio beside a CPU one."""
    if row.ratio is not None or row.error:
        return row.ratio, None
    if not base or base.error:
        return None, None
    if row.rate is not None and base.rate:
        return row.rate / base.rate, None
    cpu = _cpu_ratio(row, base)
    if cpu is not None:
        return cpu, _wall_ratio(row, base)
    return _wall_ratio(row, base), None


def _target(row, ratio):
    if row.target is None or ratio is None:
        return "—"
    return f"{'✓' if ratio <= row.target else '✗'}"


def table(rows):
    """The one table: a markdown table, so it can be pasted into an issue or the README as it is."""
    by_name = {r.what: r for r in rows}
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        ratio, wall = _row_ratios(r, by_name.get(r.baseline))
        cells = [
            r.what,
            str(r.requests if r.requests is not None else len(r.times)),
            "—" if r.rate is not None or not r.times else _ms(1000 * r.times[0]),
            _ms(r.quantile(0.5)),
            _ms(r.quantile(0.95)),
            _ms(r.quantile(0.99)),
            _ms(1000 * r.cpu_each if r.cpu_each is not None else r.quantile(0.5, r.cpu)),
            "—" if r.queries is None else str(r.queries),
            "—" if r.size is None else f"{r.size / 1024:,.1f}",
            "—" if r.peak_mb is None else f"{r.peak_mb:,.0f}",
            "—" if r.rate is None else f"{r.rate:,.0f}",
            r.compared or r.baseline or "—",
            _ratio(ratio),
            _target(r, ratio),
            _ratio(wall),
        ]
        if r.error:
            cells[3] = f"failed: {r.error}"
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)
