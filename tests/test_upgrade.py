"""An office running the previous release (ae94d08, 2026-12-05) upgrades: its database, as that release made it
(`tests/upgrade/`, made by `tests/upgrade/make_fixture.sh`: the release's `migrate` + `load_demo`), is migrated by
this code, then

- it has the schema and the recorded migrations of a database this code makes (the test database), and its
  audit log is chained,
- every page of the permission matrix answers the office's account (the release's `office`) as the matrix says,
- the office row, the scores and every issue's cells are what the release computed (`release.json`).

On SQLite the release's file is used; on PostgreSQL its `pg_dump` is restored with `psql` into a database beside
the test database. The upgraded database is used from a thread of its own, whose default connection points at it
(Django's connections are per thread): the suite's test database stays as it is.
"""

import gzip
import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from bulletins import pages
from core.audit.chain import verify
from core.office import models as office

from .conftest import log_in
from .test_permissions import LOGIN, rows
from .upgrade import record

RELEASE = Path(__file__).parent / "upgrade"
# The test database (this code's, migrated anew) is what the upgraded one is compared with.
pytestmark = pytest.mark.django_db


def _psql(settings, database, *args, sql=None):
    env = {
        **os.environ,
        "PGHOST": settings["HOST"] or "localhost",
        "PGPORT": str(settings["PORT"] or 5432),
        "PGUSER": settings["USER"],
        "PGPASSWORD": settings["PASSWORD"] or "",
    }
    return subprocess.run(
        ["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", database, *args],
        input=sql,
        env=env,
        capture_output=True,
        text=True,
    )


def _restore_postgresql(settings, name):
    if shutil.which("psql") is None:
        pytest.skip("psql（PostgreSQL 客户端）未安装，无法恢复上一版本的 pg_dump")
    for statement in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        done = _psql(settings, "postgres", "-c", statement)
        assert done.returncode == 0, done.stderr
    done = _psql(settings, name, sql=gzip.decompress((RELEASE / "release.sql.gz").read_bytes()).decode())
    assert done.returncode == 0, done.stderr


def _in(settings, function, *args, **kwargs):
    """`function(*args, **kwargs)` in a thread whose default connection is to the database `settings` name."""

    def run():
        connections["default"].settings_dict = settings  # this thread's connection, not connected yet
        forget_caches()
        try:
            return function(*args, **kwargs)
        finally:
            forget_caches()
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def forget_caches():
    """What each process keeps of the database it read (the office row, the current versions of issues)."""
    office.clear_cache()
    pages.local_pages.clear()
    pages.forget_all()


@pytest.fixture(scope="module")
def upgraded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The settings of a connection to the release's database, migrated by this code."""
    test_settings = dict(connection.settings_dict)
    if connection.vendor not in ("sqlite", "postgresql"):
        pytest.skip(f"上一版本只有 SQLite 和 PostgreSQL 的数据库（当前：{connection.vendor}）")
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            path = tmp_path_factory.mktemp("release") / "release.sqlite3"
            path.write_bytes(gzip.decompress((RELEASE / "release.sqlite3.gz").read_bytes()))
            settings = {**test_settings, "NAME": str(path)}
        else:
            settings = {**test_settings, "NAME": f"{test_settings['NAME']}_release"}
            _restore_postgresql(settings, settings["NAME"])
        _in(settings, call_command, "migrate", interactive=False, verbosity=0)
    yield settings
    if connection.vendor == "postgresql":
        _psql(settings, "postgres", "-c", f'DROP DATABASE IF EXISTS "{settings["NAME"]}"')


# The names SQLite's introspection gives constraints without one (foreign keys are numbered in column order).
UNNAMED = re.compile(r"fk_\d+|__unnamed_constraint_\d+__")


def _schema():
    """Every table's columns and constraints (names, columns, kinds), as the database describes them."""
    introspection = connection.introspection
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(info.name for info in introspection.get_table_list(cursor) if info.type == "t"):
            columns = sorted(
                (column.name, str(column.type_code), column.null_ok, column.internal_size)
                for column in introspection.get_table_description(cursor, table)
            )
            constraints = sorted(
                ("" if UNNAMED.fullmatch(name) else name, sorted((k, repr(v)) for k, v in details.items()))
                for name, details in introspection.get_constraints(cursor, table).items()
            )
            result[table] = {"columns": columns, "constraints": constraints}
    return result


def _recorded_migrations():
    return sorted(MigrationRecorder(connection).applied_migrations())


def test_the_upgraded_database_is_the_one_a_new_install_has(upgraded, django_db_blocker):
    with django_db_blocker.unblock():
        new_schema, new_migrations = _schema(), _recorded_migrations()
        upgraded_schema, upgraded_migrations = _in(upgraded, _schema), _in(upgraded, _recorded_migrations)
    assert sorted(upgraded_schema) == sorted(new_schema), "tables"
    for table, described in new_schema.items():
        assert upgraded_schema[table] == described, table
    # What kunshan_credit/restore.py compares: a backup of the upgraded site restores into a new database.
    assert upgraded_migrations == new_migrations


def test_the_release_audit_log_is_chained(upgraded, django_db_blocker):
    """The release's audit entries (its demo's logins and changes) were chained by the upgrade: verify_audit,
    the hourly job, finds the log whole."""
    with django_db_blocker.unblock():
        report = _in(upgraded, verify)
    assert report.broken is None, report.broken.message
    assert report.checked > 0


def test_the_release_computes_the_same_office_scores_and_cells(upgraded, django_db_blocker):
    expected = json.loads((RELEASE / "release.json").read_text(encoding="utf-8"))
    with django_db_blocker.unblock():
        after = json.loads(json.dumps(_in(upgraded, record.record), ensure_ascii=False))
    assert after["office"] == expected["office"]
    assert after["scores"] == expected["scores"]
    assert after["tables"] == expected["tables"]
    assert after["published"] == expected["published"]


# The permission matrix's accounts of the office, a leader and 发改委's reporter are the release's own demo accounts
# here: asked for by its URL makers while a row runs, they come from the upgraded database.
def _release_account(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def staff_user():
    return _release_account("office")


@pytest.fixture
def leader_user():
    return _release_account("leader")


@pytest.fixture
def reporter_user():
    return _release_account("fagaiwei")


def _answer(request, name, url, method):
    """The status of one row of the permission matrix as the release's `office` account, on the upgraded database
    as it is (the row's own objects, made by the matrix's fixtures there, are rolled back)."""
    with transaction.atomic():
        client = log_in(Client(), request.getfixturevalue("staff_user"))
        path = url(request) if callable(url) else url
        body = (
            {"data": "{}", "content_type": "application/json"} if path.startswith("/api/") and method == "post" else {}
        )
        response = getattr(client, method)(path, **body)
        transaction.set_rollback(True)
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize(
    ("name", "url", "method", "expected"),
    [
        pytest.param(name, url, method, expected["staff"], id=f"{name}-{method}")
        for name, url, method, expected in rows()
    ],
)
def test_every_page_answers_the_office_after_the_upgrade(
    upgraded, django_db_blocker, request, settings, name, url, method, expected
):
    """Each URL of the permission matrix (every page and API route) answers the office as the matrix says for
    市信用办. What its URL makers need (a case, a draft issue, a deduction…) is made in the upgraded database, where
    the row runs, and rolled back after it."""
    # The release's demo passwords were set on the day the fixture was made: their age is not what is tested.
    settings.PASSWORD_MAX_AGE_DAYS = 0
    with django_db_blocker.unblock():
        assert _in(upgraded, _answer, request, name, url, method) == expected, f"{name} ({method})"
