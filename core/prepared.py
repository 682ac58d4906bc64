"""Queries compiled once: the ORM writes a query's SQL the first time its arguments are seen, then it is sent as is.

The pages ask the same small queries on every request — the current year, the year's state, the latest issues'
files —, and Django spends 0.3–0.5 ms of CPU building and compiling each queryset where the database answers in
a tenth of that (issue 25: a page costs what it shows). A `Prepared` query is written as a queryset, so it
keeps the ORM's joins, quoting and conversions; what is kept per connection is the compiled SQL, its parameters
and the result converters (SQLite's dates, booleans, decimals), keyed by the arguments.

`build(*args)` must depend on its arguments only (no clock, no setting, no user read inside it): its SQL and
parameters are reused for every later call with equal arguments. It returns a `values_list()` queryset, whose
`rows(*args)` are tuples as `list(build(*args))` would give, or a plain queryset of one model, whose
`objects(*args)` are its instances (tests/test_prepared.py).
"""

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.query import ModelIterable

#: Compiled queries kept per connection before the store starts afresh (arguments are years, ids: a few).
LIMIT = 512


class _Compiled:
    __slots__ = ("sql", "params", "converters", "compiler", "columns", "model", "attnames")

    def __init__(self, queryset, using):
        query = queryset.query
        # Model instances from a plain queryset of one model (what `objects` makes), else rows (a values_list).
        self.model = queryset.model if queryset._iterable_class is ModelIterable else None
        if self.model is not None and (query.select_related or query.annotation_select or query.extra_select):
            raise TypeError("Prepared.objects reads a plain queryset of one model")
        compiler = query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # .none(), an empty __in: no rows, nothing sent
            sql, params = None, ()
        self.sql, self.params = sql, tuple(params)
        self.compiler = compiler
        if sql is None:
            self.converters, self.columns, self.attnames = {}, None, None
            return
        self.converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        self.columns = compiler.col_count if compiler.has_extra_select else None
        self.attnames = [col.target.attname for col, _, _ in compiler.select] if self.model is not None else None


def kept(key, make, using=DEFAULT_DB_ALIAS):
    """What `make()` compiles for `key` (hashable; everything the compiled text depends on), kept on the connection
    `using` as Prepared keeps its queries: for SQL a caller composes itself (the menu's counts)."""
    store = connections[using].__dict__.setdefault("prepared_queries", {})
    found = store.get(key)
    if found is None:
        if len(store) >= LIMIT:
            store.clear()
        found = store[key] = make()
    return found


class Prepared:
    """A query built by `build(*args)` (a values_list or a plain queryset), compiled once per connection and
    arguments."""

    def __init__(self, build, using=DEFAULT_DB_ALIAS):
        self.build = build
        self.using = using
        self.__doc__ = build.__doc__

    def compiled(self, *args):
        return kept((self, args), lambda: _Compiled(self.build(*args), self.using), self.using)

    def rows(self, *args):
        """The rows of `build(*args)`, as tuples."""
        return self._rows(self.compiled(*args))

    def objects(self, *args):
        """The model instances of `build(*args)` (a plain queryset of one model: no select_related, no annotation),
        as iterating the queryset gives them."""
        query = self.compiled(*args)
        if query.sql is None:
            return []
        rows = self._rows(query)
        return [query.model.from_db(self.using, query.attnames, row) for row in rows]

    def _rows(self, query):
        if query.sql is None:
            return []
        with connections[self.using].cursor() as cursor:
            cursor.execute(query.sql, query.params)
            rows = cursor.fetchall()
        if query.columns is not None:
            rows = [row[: query.columns] for row in rows]
        if query.converters:
            rows = [tuple(row) for row in query.compiler.apply_converters(rows, query.converters)]
        return rows

    def first(self, *args):
        """The first row, or None."""
        rows = self.rows(*args)
        return rows[0] if rows else None

    def value(self, *args):
        """The first column of the first row, or None (an aggregate, a pk)."""
        row = self.first(*args)
        return row[0] if row is not None else None


def set_prefetched(instance, name, objects, back=None):
    """Give `instance.<name>.all()` the `objects` read otherwise (a Prepared's `objects`), as prefetch_related leaves
    a reverse relation: no query when it is read, and each object's `back` foreign key set to `instance`."""
    queryset = getattr(instance, name).all()
    queryset._result_cache, queryset._prefetch_done = list(objects), True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset
    for obj in queryset._result_cache if back else ():
        setattr(obj, back, instance)
