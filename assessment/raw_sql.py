"""What the raw queries of the long pages are written with: a model's table and columns as the database names
them, a list of values as placeholders, and the rows fetched.

The ORM makes a query in about half a millisecond of Python, and a list of a page's 100 unit ids costs it some
5 µs a value more (each value is prepared as a lookup): the few reads of a page's rows that every request of
the grid makes (their marks, numbers, changed dates) are written with these instead (assessment.cells,
assessment.derived_columns, assessment.tallies), in SQL that SQLite and PostgreSQL both run.
"""

from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet


def quoted_table(model):
    """The model's table as raw SQL names it."""
    return connection.ops.quote_name(model._meta.db_table)


def columns(model, *fields):
    """The columns of `fields` (field names; a foreign key's is its column: unit → unit_id), each quoted."""
    quote = connection.ops.quote_name
    return [quote(model._meta.get_field(name).column) for name in fields]


def ordering(model):
    """The model's Meta.ordering as an ORDER BY list of its columns ("-date" → its column DESC; "pk" → the key's).
    An ordering through a relation ("category__order") or an expression has no column here: ValueError."""
    terms = []
    for name in model._meta.ordering:
        if not isinstance(name, str) or "__" in name:
            raise ValueError(f"{model.__name__}'s ordering {name!r} is not one of its columns")
        descending, name = name.startswith("-"), name.lstrip("-")
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        terms.append(connection.ops.quote_name(field.column) + (" DESC" if descending else ""))
    return ", ".join(terms)


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


class Subquery(NamedTuple):
    """Ids given as a query (a SELECT of one column: a queryset compiled once), asked inside the raw queries that
    take them rather than listed."""

    sql: str
    params: tuple


def ids_of(ids):
    """`ids` as the raw queries take them: None (no condition), a list, or a queryset compiled once to a Subquery
    ([] when it can match nothing)."""
    if ids is None or isinstance(ids, Subquery):
        return ids
    if isinstance(ids, QuerySet):
        try:
            sql, params = ids.order_by().query.sql_with_params()
        except EmptyResultSet:
            return []
        return Subquery(sql, tuple(params))
    return list(ids)


def in_condition(column, ids):
    """(sql, params) of `column IN (…)` for a list of ids (not empty) or a Subquery (`ids_of`)."""
    if isinstance(ids, Subquery):
        return f"{column} IN ({ids.sql})", list(ids.params)
    return f"{column} IN ({placeholders(ids)})", list(ids)


def field_reader(model, name):
    """A function reading `model`'s field `name` from a raw cursor as the model's field does (a Decimal of its
    decimal places, where SQLite's cursor gives floats; a bool where it gives 0 or 1), through the converters
    Django's own queries apply."""
    field = model._meta.get_field(name)
    col = field.get_col(model._meta.db_table)
    converters = connection.ops.get_db_converters(col) + field.get_db_converters(connection)

    def read(value):
        for convert in converters:
            value = convert(value, col, connection)
        return value

    return read
