"""manage.py benchmark --scale city|province [--database postgres://…]: one table of timings and ratios.

The command never touches the configured database. It makes a scratch one — a fresh SQLite file
in a temporary directory, or, with --database, a new PostgreSQL database on that server: the URL's own
name when it is a scratch name (kc_bench_…), else kc_bench_<pid> — and runs itself again in a child
process pointed at it (DATABASE_URL, a media directory of its own, plain HTTP on 127.0.0.1). The child
migrates, builds the data (kunshan_credit.bench.data), publishes the issue, times the pages
(kunshan_credit.bench.measure) and prints the table; the parent then removes the scratch database and
directory, also when the child fails. Without DJANGO_SECRET_KEY, manage.py gives the run a throwaway key.
"""

import gc
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kunshan_credit.bench import configure, data, measure, pages, servers

SCRATCH_ENV = "KC_BENCH_SCRATCH"
SCRATCH_NAME = re.compile(r"(^kc_bench_\w+$)|(/kc_bench_[^/]+/bench\.sqlite3$)")


class Command(BaseCommand):
    help = "性能基准：在临时数据库中生成市级或省级规模的数据，逐页计时并与基线比较，输出一张表。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(data.SCALES), default="city")
        parser.add_argument(
            "--database",
            help="postgres://user@host:port/kc_bench_name — that scratch database is made (again) there and dropped "
            "at the end; a URL naming another database (…/postgres) makes kc_bench_<pid> instead",
        )
        parser.add_argument("--repeat", type=int, default=20, help="requests per page (at most)")
        parser.add_argument("--budget", type=float, default=30.0, help="seconds per page (at most, after the first)")
        parser.add_argument("--seconds", type=float, default=5.0, help="seconds of load per gunicorn row")
        parser.add_argument("--no-server", action="store_true", help="leave out the gunicorn rows")
        parser.add_argument("--validate-all", action="store_true", help="full_clean() every generated object")
        parser.add_argument("--inner", action="store_true", help="(internal) the child that runs in the scratch")

    def handle(self, *args, **options):
        # A kill (SIGTERM) unwinds like Ctrl+C: the child, its gunicorn and the scratch are cleaned up.
        signal.signal(signal.SIGTERM, _terminated)
        if options["inner"]:
            return self.run_inside(options)
        workdir = tempfile.mkdtemp(prefix="kc_bench_")
        database = None
        try:
            if options["database"]:
                database, url = create_postgres(options["database"])
                self.stderr.write(f"scratch database {database} (dropped at the end)")
            else:
                url = f"sqlite:///{workdir}/bench.sqlite3"
            self.run_child(options, url, workdir)
        finally:
            if database:
                drop_postgres(options["database"], database)
            shutil.rmtree(workdir, ignore_errors=True)

    def run_child(self, options, url, workdir):
        env = {
            **os.environ,
            "DATABASE_URL": url,
            SCRATCH_ENV: url,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "kunshan_credit.settings"),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_DEBUG": "0",
            "DJANGO_HTTPS": "0",
            "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "DJANGO_MEDIA_ROOT": os.path.join(workdir, "media"),
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        argv = [sys.executable, str(settings.BASE_DIR / "manage.py"), "benchmark", "--inner"]
        argv += ["--scale", options["scale"], "--repeat", str(options["repeat"])]
        argv += ["--budget", str(options["budget"]), "--seconds", str(options["seconds"])]
        argv += ["--no-server"] * options["no_server"] + ["--validate-all"] * options["validate_all"]
        child = subprocess.Popen(argv, env=env, cwd=workdir, stdout=subprocess.PIPE, text=True)
        try:
            for line in child.stdout:
                self.stdout.write(line, ending="")
            status = child.wait()
        except BaseException:
            child.terminate()
            child.wait()
            raise
        if status:
            raise CommandError(f"基准测试未完成（子进程退出码 {status}）。")

    def run_inside(self, options):
        url = os.environ.get(SCRATCH_ENV, "")
        name = str(connection.settings_dict["NAME"])
        # Only ever in the scratch its parent made: an empty database with a kc_bench_ name.
        if url != os.environ.get("DATABASE_URL") or not SCRATCH_NAME.search(name):
            raise CommandError("--inner 只能由 benchmark 命令自己在临时数据库中启动。")
        call_command("migrate", verbosity=0, interactive=False)
        from assessment.models import Unit

        if Unit.objects.exists():
            raise CommandError("临时数据库不是空的，基准测试不写入已有数据。")
        configure()
        scale = data.SCALES[options["scale"]]
        print(f"building {scale.name}…", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        made = data.build(scale, validate_all=options["validate_all"])
        built = time.perf_counter() - t0
        issue = made["issue"]
        # As a server worker starts (kunshan_credit/wsgi.py): what was built is garbage, the rest is frozen out of
        # the collector's full passes, so a row is not charged for a pass over the build's leftovers.
        gc.collect()
        gc.freeze()
        load_before = os.getloadavg()[0]
        rows = pages.client_rows(scale, issue, options["repeat"], options["budget"])
        if not options["no_server"]:
            rows += servers.server_rows(issue, options["seconds"], os.getcwd())
            rows += servers.recycling_rows(issue, options["seconds"], os.getcwd())
        vendor = connection.vendor
        if vendor == "postgresql":
            vendor = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
        self.stdout.write(
            f"scale {scale.name}: {made['units']:,} units, {made['marks']:,} marks, {made['cases']:,} cases "
            f"on {vendor}; built in {built:.1f} s ({made['validated']:,} generated objects validated); "
            f"issue {issue.year}/{issue.number}\n"
            f"machine: {os.cpu_count()} CPUs, load average {load_before:.1f} before the timings, "
            f"{os.getloadavg()[0]:.1f} after (other work on the machine slows every row, baselines too; "
            f"'CPU ms' is the CPU time per request, which the load does not inflate: this process's (p50) for "
            f"the pages, the servers' (gunicorn and nginx, on average) for the wrk rows; "
            f"the database server's is not in it)\n"
            f"{servers.load_method() if not options['no_server'] else 'no server rows (--no-server)'}\n"
            f"{measure.RATIO_NOTE}\n"
        )
        self.stdout.write(measure.table(rows) + "\n")
        failed = [r.what for r in rows if r.error]
        if failed:
            raise CommandError(f"有 {len(failed)} 项未能完成：{'、'.join(failed)}")


def _terminated(signum, frame):
    raise KeyboardInterrupt


def _server(url):
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise CommandError("--database 只接受 postgres:// 地址（默认使用临时 SQLite 文件）。")
    return parts


def _admin_connection(url):
    import psycopg2

    parts = _server(url)
    conn = psycopg2.connect(
        dbname="postgres",
        host=parts.hostname or "",
        port=parts.port or 5432,
        user=parts.username or "",
        password=parts.password or "",
    )
    conn.autocommit = True
    return conn


def scratch_name(url):
    """The scratch database's name: the URL's own when it is a scratch name (kc_bench_…), else kc_bench_<pid>.

    Only a kc_bench_ name is ever made, dropped and made again: a URL naming a real database never loses it.
    """
    name = _server(url).path.lstrip("/")
    return name if SCRATCH_NAME.match(name) else f"kc_bench_{os.getpid()}"


def create_postgres(url):
    """A new, empty scratch database (`scratch_name`) on the server of `url`; (its name, its URL)."""
    name = scratch_name(url)
    conn = _admin_connection(url)
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        conn.close()
    parts = _server(url)
    return name, urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def drop_postgres(url, name):
    conn = _admin_connection(url)
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()
