"""The demo of the tests that need real transactions (conftest.demo_db), loaded once per run and copied back.

Such a test starts from an emptied database (pytest-django flushes after each), and `load_demo` took ~4.5 s of CPU
each time, over forty times a run, most of them browser tests. The rows the first load left are kept in memory
and written back, table by table, in one transaction (the foreign keys are checked at its commit): the same rows,
ids and audit chain a load gives, in a few hundredths of a second.

What the process keeps of the database is forgotten after the copy, as a save would make it forget (the office
row, the readers' pages, Django's content types: the flush's post_migrate made new ones, the copy brings the
demo's back). The database cache table is not a model's and is left as the flush leaves it.
"""

import io

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction

from bulletins import pages
from core.office import models as office

_rows = None  # {table: its rows} of the first load


def _tables():
    return connection.introspection.django_table_names(only_existing=True, include_views=False)


def _keep():
    kept = {}
    with connection.cursor() as cursor:
        for table in _tables():
            name = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":  # COPY: the bytes of each row, as PostgreSQL writes them
                buffer = io.BytesIO()
                cursor.cursor.copy_expert(f"COPY {name} TO STDOUT", buffer)
                kept[table] = buffer.getvalue()
            else:  # SQLite: the stored values (text dates, integer booleans) read back as Django's backend does
                cursor.execute(f"SELECT * FROM {name}")
                kept[table] = ([column[0] for column in cursor.description], cursor.fetchall())
    return kept


def _write_back(kept):
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in connection.ops.sql_flush(no_style(), list(kept)):
            cursor.execute(statement)
        for table, rows in kept.items():
            if connection.vendor == "postgresql":
                cursor.cursor.copy_expert(f"COPY {quote(table)} FROM STDIN", io.BytesIO(rows))
            elif rows[1]:
                columns, values = rows
                names = ", ".join(quote(column) for column in columns)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", values)
        # PostgreSQL's sequences, as loaddata leaves them: past the highest copied id (a restore of a backup in a
        # test sets them back). SQLite's AUTOINCREMENT always goes past the highest id there is.
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
            cursor.execute(statement)
    ContentType.objects.clear_cache()
    office.clear_cache()
    pages.local_pages.clear()
    pages.forget_all()


def load(load_demo):
    """The demo in the (emptied) test database: `load_demo` the first time, its rows copied back after."""
    global _rows
    if _rows is None:
        load_demo()
        _rows = _keep()
    else:
        _write_back(_rows)
