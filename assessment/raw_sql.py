"""What the raw queries of the long pages are written with: a model's table and columns as the database names
them, a list of values as placeholders, and the rows fetched.

The ORM makes a query in about half a millisecond of Python, and a list of a page's 100 unit ids costs it some
5 µs a value more (each value is prepared as a lookup): the few reads of a page's rows that every request of
the grid makes (their marks, numbers, changed dates) are written with these instead (assessment.cells,
assessment.derived_columns, assessment.tallies), in SQL that SQLite and PostgreSQL both run.
"""

from django.db import connection


def quoted_table(model):
    """The model's table as raw SQL names it."""
    return connection.ops.quote_name(model._meta.db_table)


def columns(model, *fields):
    """The columns of `fields` (field names; a foreign key's is its column: unit → unit_id), each quoted."""
    quote = connection.ops.quote_name
    return [quote(model._meta.get_field(name).column) for name in fields]


def placeholders(values):
    """ "%s, %s, …": one placeholder for each of `values` (not empty: `IN ()` is no SQL)."""
    if not values:
        raise ValueError("an empty list of values")
    return ", ".join(["%s"] * len(values))


def fetch(sql, params):
    """Every row of `sql` (a list of tuples)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
