"""The published page under load: wrk against gunicorn (the shipped deploy/gunicorn.conf.py) and nginx (the shipped
deploy/nginx templates), each in processes of their own on free ports of 127.0.0.1, under the run's own directory.

Rows, all measured by wrk (Debian's `wrk`; its output parsed) — none when wrk is not installed, and none of the
nginx rows without nginx: the output then says so plainly.
- req/s of the trivial view, the bare table and the published page straight from gunicorn (2 workers);
- req/s of the page's very bytes as a static file sent by nginx, and of the page through nginx → gunicorn;
- for each worker-recycling candidate (`RECYCLING`), the page through nginx → gunicorn at 200 connections with
  wrk's latency distribution: p50, p99 and p99 / p50 (issue 22: readers saw p99 of 1.0–1.2 s).
"""

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from .measure import Row
from .pages import BARE_TABLE, TRIVIAL

WORKERS = 2
WRK_THREADS, WRK_CONNECTIONS = 2, 8
RECYCLING_RUNS = 4
READERS = 200  # connections of the recycling rows (issue 22: 10–200 readers at once)
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
# Worker recycling candidates: (what, the environment deploy/gunicorn.conf.py reads).
SHIPPED = {"GUNICORN_MAX_REQUESTS": "0", "GUNICORN_MAX_WORKER_MB": "512"}  # deploy/gunicorn.conf.py's defaults
RECYCLING = [
    ("max_requests 2000±200", {"GUNICORN_MAX_REQUESTS": "2000", "GUNICORN_MAX_REQUESTS_JITTER": "200"}),
    ("max_requests off, worker RSS bound (shipped)", SHIPPED),
]
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4, "h": 3.6e6}


def wrk_path():
    return shutil.which("wrk")


def nginx_path():
    return NGINX if os.access(NGINX, os.X_OK) else None


def load_method():
    """How the server rows are measured, said plainly in the output."""
    if not wrk_path():
        return "no server rows: wrk is not installed (apt-get install wrk)"
    said = f"req/s by wrk ({WRK_THREADS} threads, {WRK_CONNECTIONS} connections; recycling rows {READERS} connections)"
    if not nginx_path():
        said += f"; no nginx rows: nginx is not installed ({NGINX})"
    return said


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port, path):
    """(status, body) of one GET."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _wait(port, path, process):
    for _ in range(600):  # up to 60 s to start (a loaded machine)
        try:
            return http_get(port, path)
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"exit {process.returncode} before answering") from None
            time.sleep(0.1)
    raise RuntimeError("not answering after 60 s")


def _stop(process):
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def gunicorn(workdir, env=None):
    """gunicorn with deploy/gunicorn.conf.py serving the portal and the baselines; yields its port."""
    port = free_port()
    environ = {**os.environ, "GUNICORN_WORKERS": str(WORKERS), "GUNICORN_LOG_LEVEL": "warning", **(env or {})}
    config = str(settings.BASE_DIR / "deploy" / "gunicorn.conf.py")
    argv = [sys.executable, "-m", "gunicorn", "--config", config, "--bind", f"127.0.0.1:{port}"]
    argv += ["--chdir", str(settings.BASE_DIR), "kunshan_credit.bench.wsgi:application"]
    with open(os.path.join(workdir, f"gunicorn-{port}.log"), "wb") as log:
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=environ)
        SERVERS.append(process.pid)
        try:
            _wait(port, "/__bench__/trivial/", process)
            yield port
        finally:
            SERVERS.remove(process.pid)
            _stop(process)


@contextmanager
def public_dir():
    """A directory of its own that nginx's workers (another user when started as root) can read: its static
    files, cache and temporary files; removed at the end. Only the published page's bytes are put in it."""
    path = Path(tempfile.mkdtemp(prefix="kc_bench_nginx_"))
    try:
        path.chmod(0o755)
        (path / "static").mkdir()
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def nginx(public, app_port, *, page_cache=True):
    """nginx from the deploy/ templates in front of `app_port`, static files from public/static; yields its port.
    page_cache=False: without the readers' page cache, so that every request reaches gunicorn."""
    port, static_root = free_port(), public / "static"
    home = public / f"nginx-{port}"
    (home / "tmp").mkdir(parents=True)
    app = f"127.0.0.1:{app_port}"
    render = {"KC_APP_A": app, "KC_APP_B": app, "KC_STATIC_ROOT": str(static_root)}
    render.update(KC_MEDIA_ROOT=str(settings.MEDIA_ROOT), KC_CACHE_DIR=str(home / "cache"))
    subprocess.run([str(settings.BASE_DIR / "deploy" / "render"), str(home)], env={**os.environ, **render}, check=True)
    if not page_cache:
        locations = home / "locations.conf"
        text = locations.read_text()
        if "proxy_cache kunshan_credit_pages;" not in text:
            raise RuntimeError("deploy/nginx/locations.conf.in no longer names the page cache")
        locations.write_text(text.replace("proxy_cache kunshan_credit_pages;", "proxy_cache off;"))
    (home / "nginx.conf").write_text(
        f"""daemon off;
worker_processes {os.cpu_count() or 1};
pid {home}/nginx.pid;
error_log {home}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {home}/access.log;
    client_body_temp_path {home}/tmp/body;
    proxy_temp_path {home}/tmp/proxy;
    fastcgi_temp_path {home}/tmp/fastcgi;
    uwsgi_temp_path {home}/tmp/uwsgi;
    scgi_temp_path {home}/tmp/scgi;
    include {home}/upstream.conf;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        include {home}/locations.conf;
    }}
}}
"""
    )
    with open(home / "nginx.log", "wb") as log:
        process = subprocess.Popen([NGINX, "-p", str(home), "-c", str(home / "nginx.conf")], stdout=log, stderr=log)
        SERVERS.append(process.pid)
        try:
            _wait(port, "/__bench__/trivial/", process)
            yield port
        finally:
            SERVERS.remove(process.pid)
            _stop(process)


TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(roots):
    """CPU seconds (user + system) used so far by the processes `roots` and all their descendants, ended
    children included once waited for (a recycled worker's time is in its master's cutime/cstime)."""
    children, used = {}, {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        children.setdefault(int(fields[1]), []).append(int(name))
        used[int(name)] = sum(int(f) for f in fields[11:15]) / TICKS  # utime, stime, cutime, cstime
    total, pending = 0.0, list(roots)
    while pending:
        pid = pending.pop()
        total += used.get(pid, 0.0)
        pending += children.get(pid, [])
    return total


SERVERS = []  # the pids of the gunicorn and nginx masters running now (their CPU is a wrk row's "CPU ms")


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(number) * UNITS[unit]


def wrk(row, port, path, seconds, connections=WRK_CONNECTIONS):
    """Fill `row` from wrk run for `seconds` (whole, at least 1) with --latency: req/s, requests, p50/p90/p99."""
    argv = [wrk_path(), f"-t{min(WRK_THREADS, connections)}", f"-c{connections}", f"-d{max(1, round(seconds))}s"]
    argv += ["--latency", "--timeout", "30s", f"http://127.0.0.1:{port}{path}"]
    cpu_before = tree_cpu_seconds(SERVERS)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 120)
    cpu = tree_cpu_seconds(SERVERS) - cpu_before
    rate = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    count = re.search(r"(\d+) requests in", done.stdout)
    if done.returncode or not rate or not count:
        row.error = f"wrk: {(done.stderr or done.stdout).strip()[-100:]}"
        return row
    row.rate, row.requests = float(rate[1]), int(count[1])
    row.cpu_each = cpu / row.requests if row.requests else None
    for percent, value in re.findall(r"^\s*(50|75|90|99)%\s+([\d.]+[a-z]+)\s*$", done.stdout, re.MULTILINE):
        row.latency[int(percent) / 100] = _ms(value)
    if 0.99 not in row.latency:
        row.error = "wrk: no latency distribution: " + " ".join(done.stdout.split())[-90:]
        return row
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    errors = re.search(r"Socket errors: (.*)", done.stdout)
    if bad or errors:
        row.error = "; ".join(m[0] for m in (bad, errors) if m)
    return row


def _load(row, port, path, seconds, connections=WRK_CONNECTIONS):
    print(f"  {row.what}…", file=sys.stderr, flush=True)
    try:
        http_get(port, path)  # warm: each worker imports lazily on its first request
        wrk(row, port, path, seconds, connections)
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        row.error = f"{type(exc).__name__}: {exc}"[:120]
    return row


def _failed(what, exc):
    return Row(what, error=f"{type(exc).__name__}: {exc}"[:120])


def server_rows(issue, seconds, workdir):
    if not wrk_path():
        return []
    page = f"/bulletins/{issue.year}/{issue.number}/"
    suffix = f", gunicorn {WORKERS} workers"
    trivial, page_row = Row(TRIVIAL + suffix), Row("published bulletin page" + suffix, TRIVIAL + suffix)
    rows = [trivial, Row(BARE_TABLE + suffix, TRIVIAL + suffix), page_row]
    try:
        with gunicorn(workdir) as port:
            _load(trivial, port, "/__bench__/trivial/", seconds)
            _load(rows[1], port, f"/__bench__/{issue.year}/{issue.number}/table/", seconds)
            _load(page_row, port, page, seconds)
            if not nginx_path():
                return rows
            with public_dir() as public:
                # The page's very bytes, for nginx to send as a file: what serving the page can cost at best.
                status, body = http_get(port, page)
                (public / "static" / "page.html").write_bytes(body)
                static = Row("the page's bytes as a static file, nginx")
                proxied = Row("published bulletin page, nginx (its page cache) → gunicorn", static.what)
                with nginx(public, port) as web:
                    rows += [_load(static, web, "/static/page.html", seconds), _load(proxied, web, page, seconds)]
                uncached = Row("published bulletin page, nginx without its page cache → gunicorn", static.what)
                with nginx(public, port, page_cache=False) as web:
                    rows.append(_load(uncached, web, page, seconds))
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        rows.append(_failed("gunicorn or nginx", exc))
    return rows


def recycling_rows(issue, seconds, workdir):
    """The page through nginx → gunicorn at READERS connections, for each recycling candidate: p99 / p50. Without
    nginx's page cache: every request reaches gunicorn, as every signed-in page and download does.
    Each runs RECYCLING_RUNS times as long as a row above, so that workers are recycled several times in it."""
    if not (wrk_path() and nginx_path()):
        return []
    page = f"/bulletins/{issue.year}/{issue.number}/"
    rows = []
    for what, env in RECYCLING:
        row = Row(f"page at {READERS} connections, nginx without page cache, {what}", compared="p99 / p50")
        rows.append(row)
        # What readers of the published page get as shipped: nginx's page cache in front, on the same gunicorn.
        cached = Row(f"page at {READERS} connections, nginx with its page cache, as shipped", compared="p99 / p50")
        try:
            with gunicorn(workdir, env) as port, public_dir() as public:
                with nginx(public, port, page_cache=False) as web:
                    _load(row, web, page, seconds * RECYCLING_RUNS, READERS)
                if env == SHIPPED:
                    rows.append(cached)
                    with nginx(public, port) as web:
                        _load(cached, web, page, seconds * RECYCLING_RUNS, READERS)
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
            (cached if cached in rows else row).error = f"{type(exc).__name__}: {exc}"[:120]
    for row in rows:
        if row.latency.get(0.99) and row.latency.get(0.5):
            row.ratio = row.latency[0.99] / row.latency[0.5]
    return rows
