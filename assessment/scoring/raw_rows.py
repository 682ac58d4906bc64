"""Rows read with written SQL (the scores page's ranking and rules), each value as the model's field reads it."""

from django.db import connection


def fetch_all(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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
