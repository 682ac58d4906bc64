"""待办: the registry of to-do sources, and what is waiting for one user.

Work waits in several apps (cases to review in `cases`, requests and imports in the assessment, documents
in `bulletins`); the list is the assessment's, yet it never imports a higher app: each app registers its
`TodoSource`s from its AppConfig.ready (as `assessment.derived`). A source answers for one user with a
bounded number of queries: how many entries wait and the first few of them, never a query per entry.
`todo_for(user)` asks every source that concerns the user's role; the page (`/todo/`) shows the sections,
the menu their total (`count_for`, once per request through the context processor).
"""

from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.utils.functional import cached_property

from assessment import access, years
from core.prepared import kept

#: How many entries a section shows; the rest are behind its link.
SHOWN = 5

_sources = []


@dataclass(frozen=True)
class TodoItem:
    """One thing to do: what it is, where it is done, a line of detail (a date, a reason) and, for what is done
    by reading it, the address a 已阅 button posts to."""

    title: str
    link: str
    note: str = ""
    done: str = ""


@dataclass
class TodoSection:
    """A source's entries for one user: how many, the first few, and the page that lists them all."""

    title: str
    count: int
    items: list = field(default_factory=list)
    link: str = ""
    #: whether the menu's number counts it (its source's `in_menu`)
    in_menu: bool = True

    @property
    def more(self):
        return max(0, self.count - len(self.items))


class TodoRun:
    """One asking of the sources for `user`: what several sources need is asked once (the open year)."""

    def __init__(self, user):
        self.user = user

    @property
    def user_id(self):
        return self.user.pk

    @cached_property
    def unit_id(self):
        """The reporter's unit (None for other roles)."""
        return access.reporter_unit_id(self.user)

    @cached_property
    def open_year(self):
        """The year units act on, if it is still open; None once it is closed (it asks nothing of anyone)."""
        year = years.current_year()
        return year if year is not None and years.year_state(year).is_open else None


class TodoSource:
    """What an app registers: a kind of work waiting for some roles.

    Subclasses set `key`, `title`, `roles` (core.access role names) and implement `entries`.
    """

    key = ""
    title = ""
    roles = ()
    #: Counted in the menu's number. A source that must walk every unit's cells of the year (the office's overdue
    #: units) is shown on the 待办 page only: the menu is on every page, and a page costs what it shows.
    in_menu = True

    def concerns(self, user):
        return access.role_of(user) in self.roles

    #: The facts of the run that `waiting` reads ("user_id", "unit_id", "open_year"), when the source has a `waiting`:
    #: its SQL and parameters depend on nothing else, so the menu's query is compiled once per set of facts
    #: (core.prepared.kept). None: counted by its entries.
    waiting_on = None

    def waiting(self, run):
        """The QuerySet of what waits for `run.user` when the source's number is its count (its `entries` count it
        too), so the menu asks every such source in one query (`count_for`); declared by `waiting_on`."""
        return None

    def entries(self, run, limit):
        """A TodoSection for `run.user` (count and at most `limit` items), or None when nothing waits."""
        raise NotImplementedError


def first(rows, limit):
    """The first `limit` of `rows` (a queryset, ordered): nothing is asked of the database when the menu only
    counts (`count_for` asks with limit 0)."""
    return list(rows[:limit]) if limit else []


def register(source):
    """Called from an AppConfig.ready; registering the same source twice keeps one."""
    if all(s.key != source.key for s in _sources):
        _sources.append(source)


def sources():
    return list(_sources)


def todo_for(user, limit=SHOWN):
    """The user's sections with something waiting, in the order the sources were registered."""
    if not access.has_role(user):
        return []
    run = TodoRun(user)
    sections = []
    for source in _sources:
        section = source.entries(run, limit) if source.concerns(user) else None
        if section is not None and section.count:
            section.in_menu = source.in_menu
            sections.append(section)
    return sections


def menu_total(sections):
    """The menu's number from a page's sections: the entries of the sources counted in the menu."""
    return sum(section.count for section in sections if section.in_menu)


def count_for(user):
    """How many entries wait for the user in the sources the menu counts (the menu's number): the sources whose
    number is a count (`waiting`) in one query of their counts, the others by their entries."""
    if not access.has_role(user):
        return 0
    run = TodoRun(user)
    counted, others = [], []
    for source in _sources:
        if source.in_menu and source.concerns(user):
            (others if source.waiting_on is None else counted).append(source)
    found = (source.entries(run, 0) for source in others)
    return _counts(run, counted) + sum(section.count for section in found if section is not None)


def _counts(run, sources):
    """The sum of the sources' `waiting` counts, asked in one SELECT of their COUNT(*)s (the menu is on every page:
    one query, not one a source), compiled once per the facts they read."""
    key = ("todo.counts", *((s.key, *(getattr(run, fact) for fact in s.waiting_on)) for s in sources))
    sql, params = kept(key, lambda: count_sql([source.waiting(run) for source in sources]))
    if sql is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sum(cursor.fetchone())


def count_sql(querysets):
    """(SQL, params) of one SELECT of the querysets' COUNT(*)s, (None, ()) when none can have rows."""
    parts, params = [], []
    for queryset in querysets:
        try:
            sql, more = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            continue  # .none(): nothing waits
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) waiting)")
        params += more
    if not parts:
        return None, ()
    return f"SELECT {', '.join(parts)}", tuple(params)
