"""Figures of the leaders' overview: where each category stands now, and how the year's issues went.

"Now" is the live cells, counted by the database rather than made one by one (assessment.tallies: each
column's words; assessment.open_cells: the * cells by due status as every page shows it, assessment.due, the
first overdue and the units with the most, each asked ordered and limited); the trend is the year's published
versions' figures, counted from their snapshots when they were published (bulletins.figures). Cells are
classified by the one vocabulary (bulletins.figures.classify): √ or a reported count is done, * or 0 is
pending, 已说明 / 已说明情况 is explained; 非考核项 and 无 do not count. Charts are plain SVG geometry for the
template; the links are patterns reversed once per category or issue, never once per cell.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import connection

from assessment import due as due_rules
from assessment import tallies
from assessment.due import DueStatus, value_status
from assessment.models import Indicator, Mark, MarkRequest, MarkState, Scheme, Unit
from assessment.open_cells import OpenCells
from assessment.raw_sql import fetch, placeholders, quoted_table
from assessment.tables import year_schemes
from cases.models import PENDING_STATUSES, Case
from core.links import reversed_url

from .figures import classify
from .models import Issue, IssueVersion

TOP_UNITS = 8
OVERDUE_SHOWN = 50
# The columns of the status counts, as the cells' statuses say (assessment.due): the grid's colours.
STATUS_COLUMNS = (
    DueStatus.DONE,
    DueStatus.EXPLAINED,
    DueStatus.NOT_DUE,
    DueStatus.DUE_SOON,
    DueStatus.OVERDUE,
    DueStatus.YEAR_END,
    DueStatus.NOT_ASSESSED,
)


@dataclass(frozen=True)
class OverdueCell:
    """An overdue cell of the overview's list, with the link to it in the grid (filtered)."""

    unit: str
    indicator: str
    date: object
    phrase: str
    link: str
    unit_id: int | None = None  # for the 催办 of that unit


def counts_as_status(status, value):
    """Whether a cell is counted under its status: a 无 (no serious event) or an empty cell has nothing due
    but is no 非考核项 either (the status it shares with them): it is in no column of the counts."""
    return status != DueStatus.NOT_ASSESSED or value == MarkState.NOT_ASSESSED


def overdue_link(grid, indicator_id, unit_name):
    """The grid showing the cell: its column, the overdue rows, the unit's name.

    `grid` is the category's grid address, reversed once per category (not once per cell).
    """
    return f"{grid}?{urlencode({'indicator': indicator_id, 'due': 'overdue', 'q': unit_name})}"


def column_link(grid, indicator_id):
    """The entry grid filtered to one indicator's column; `grid` the category's grid address (reversed once)."""
    return f"{grid}?indicator={indicator_id}"


@dataclass
class Share:
    """How many units of a column are done, explained, pending; bar geometry in percent."""

    title: str
    points_label: str = ""
    link: str = ""
    done: int = 0
    explained: int = 0
    pending: int = 0

    @property
    def counted(self):
        return self.done + self.explained + self.pending

    @property
    def percent(self):
        return round(100 * self.done / self.counted) if self.counted else 0

    @property
    def explained_percent(self):
        return round(100 * self.explained / self.counted) if self.counted else 0

    def add(self, value, n=1):
        kind = classify(value)
        if kind:
            setattr(self, kind, getattr(self, kind) + n)


@dataclass
class TrendPoint:
    label: str
    percent: int
    pending: int
    link: str
    x: float = 0
    y: float = 0


@dataclass
class CategoryOverview:
    name: str
    slug: str
    year: int
    shares: list = field(default_factory=list)
    behind: list = field(default_factory=list)  # (unit name, pending count, link)
    trend: list = field(default_factory=list)
    changes: list | None = None
    changes_against: dict | None = None
    latest_link: str = ""
    statuses: list = field(default_factory=list)  # [(DueStatus, count)] in STATUS_COLUMNS order
    overdue: list = field(default_factory=list)  # OverdueCell, by due date
    overdue_total: int = 0
    grid_link: str = ""  # the category's entry grid
    html: object = None  # its lists as HTML for the reader (bulletins.overview_html.category_html, by the view)

    # Trend chart geometry (SVG user units).
    width = 560
    height = 200
    left, right, top, bottom = 44, 24, 26, 36

    def layout_trend(self):
        inner_w = self.width - self.left - self.right
        inner_h = self.height - self.top - self.bottom
        step = inner_w / max(1, len(self.trend) - 1)
        for index, point in enumerate(self.trend):
            point.x = round(self.left + (index * step if len(self.trend) > 1 else inner_w / 2), 1)
            point.y = round(self.top + inner_h * (1 - point.percent / 100), 1)

    @property
    def trend_path(self):
        return " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(self.trend))

    @property
    def gridlines(self):
        inner_h = self.height - self.top - self.bottom
        return [(pct, round(self.top + inner_h * (1 - pct / 100), 1)) for pct in (0, 25, 50, 75, 100)]

    @property
    def axis_y(self):
        return self.height - self.bottom

    @property
    def axis_x2(self):
        return self.width - self.right

    @property
    def most_pending(self):
        return max((b[1] for b in self.behind), default=0)


def _issue_url(issue):
    return reversed_url("bulletins:issue", issue.year, issue.number)


def _anchor(url, slug, unit_id=None):
    """The issue's table of `slug`, or a unit's row in it; `url` is the issue's address, reversed once per issue."""
    return f"{url}#unit-{slug}-{unit_id}" if unit_id else f"{url}#table-{slug}"


@dataclass
class _Live:
    """What the overview reads of the live cells, counted by the database (assessment.tallies,
    assessment.open_cells) rather than made cell by cell: a country's year holds 180,000 cells, and a Cell with
    its Due for each was seconds, a list of every * cell with its due still most of the page.

    `words`: {indicator id: [(word, shown number or None, how many cells)]}; `open`: the * cells by due status,
    the first overdue, the units with the most (assessment.open_cells.OpenCells).
    """

    words: dict
    open: OpenCells


def _live(schemes):
    """_Live of the schemes (indicators prefetched): the words, the changed due dates, the derived columns' 2
    queries."""
    # The derived columns (奖惩案例) asked of the database once, for the counts and the * cells alike.
    read = tallies.derived_columns(schemes)
    words = tallies.tallies_for(schemes, pending_units=False, derived_read=read).words
    return _Live(words, OpenCells(schemes, due_rules.today(), read))


def _json(model, name, text):
    """A JSON column read by a raw query, decoded as the ORM decodes it."""
    return model._meta.get_field(name).from_db_value(text, None, connection)


# What the overview reads of an issue: its address and label (Issue.get_absolute_url, .label) and its date.
ISSUE_FIELDS = ("id", "year", "number", "date", "current_version_id")


def _published(year):
    """The year's published issues in order, each with its current version's figures, and of the latest version
    its changes and the units of each table ({scheme id: set}): the tables' figures stored when published
    (bulletins.figures), never the snapshots. 2 queries, written out (the ORM's compile of a join with deferred
    fields was most of their CPU); the issues are Issue rows of ISSUE_FIELDS (the others deferred)."""
    issues_table, versions_table = quoted_table(Issue), quoted_table(IssueVersion)
    columns = ", ".join(f"i.{connection.ops.quote_name(name)}" for name in ISSUE_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, v.figures FROM {issues_table} i JOIN {versions_table} v ON v.id = i.current_version_id"
            " WHERE i.year = %s ORDER BY i.number",
            [year],
        )
        rows = cursor.fetchall()
        if not rows:
            return [], {}, {}
        latest_version = rows[-1][ISSUE_FIELDS.index("current_version_id")]
        cursor.execute(f"SELECT changes, table_units FROM {versions_table} WHERE id = %s", [latest_version])
        changes, units = cursor.fetchone()
    issues = []
    for *values, figures in rows:
        issue = Issue.from_db(connection.alias, ISSUE_FIELDS, values)
        issue.figures = _json(IssueVersion, "figures", figures)
        issues.append(issue)
    return issues, _json(IssueVersion, "changes", changes) or {}, _table_units(units)


# {a version's table_units as stored (text): {scheme id: frozenset of unit ids}}, a few kept: a published version's
# units never change, and decoding a country's (20,000 ids) was 1.7 ms of the overview's CPU on every request.
# Keyed by the text itself, so another version's, or a database's other rows, never read what this one decoded.
_DECODED_UNITS = {}
DECODED_KEPT = 4


def _table_units(text):
    """{scheme id: frozenset of unit ids} of a version's stored `table_units` text, decoded once a process."""
    found = _DECODED_UNITS.get(text)
    if found is None:
        units = _json(IssueVersion, "table_units", text) or {}
        found = {int(pk): frozenset(ids) for pk, ids in units.items()}
        if len(_DECODED_UNITS) >= DECODED_KEPT:
            _DECODED_UNITS.clear()
        _DECODED_UNITS[text] = found
    return found


def year_overview(year):
    """[CategoryOverview] for the year's schemes, in category order; None when the year has no scheme."""
    schemes = year_schemes(year)
    if not schemes:
        return None
    live = _live(schemes)
    issues, latest_changes, latest_units = _published(year)
    latest = issues[-1] if issues else None
    issue_urls = {issue.pk: _issue_url(issue) for issue in issues}  # reversed once per issue, not per cell
    latest_url = issue_urls[latest.pk] if latest else ""
    result = []
    for scheme in schemes:
        slug, scheme_id = scheme.category.slug, scheme.pk
        indicators = list(scheme.indicators.all())
        grid = reversed_url("assessment:grid", year, slug)  # one link pattern for the overdue list
        overview = CategoryOverview(name=scheme.category.name, slug=slug, year=year, grid_link=grid)
        shares = [Share(title=i.title, points_label=i.points_label, link=column_link(grid, i.pk)) for i in indicators]
        counts = dict.fromkeys(STATUS_COLUMNS, 0)
        for indicator, share in zip(indicators, shares, strict=True):
            pending = 0
            for state, number, n in live.words.get(indicator.pk, ()):
                value = str(number) if number is not None else state  # the cells' shown text
                share.add(value, n)
                status = value_status(value)  # None for *: its status is its date's, counted below
                if status is None:
                    pending += n
                elif counts_as_status(status, value):
                    counts[status] += n
            for status, n in live.open.statuses(indicator.pk, pending).items():
                counts[status] += n
        overview.statuses = [(DueStatus(status), n) for status, n in counts.items()]
        overview.overdue_total = counts[DueStatus.OVERDUE]
        # (Due, unit id, indicator id) and (unit id, count) until the units' names are read (`_name_shown`)
        overview.overdue = live.open.first_overdue(scheme, OVERDUE_SHOWN)
        overview.behind = live.open.most_open(scheme, TOP_UNITS)
        overview.shares = [s for s in shares if s.counted]
        for issue in issues:
            figures = issue.figures.get(str(scheme_id))
            if figures is not None:
                share = Share(title="", **figures)
                overview.trend.append(
                    TrendPoint(f"第{issue.number}期", share.percent, share.pending, _anchor(issue_urls[issue.pk], slug))
                )
        overview.layout_trend()
        if latest:
            overview.latest_link = _anchor(latest_url, slug)
            if latest_changes:
                overview.changes = latest_changes.get("tables", {}).get(str(scheme_id))
                overview.changes_against = latest_changes.get("against")
        result.append(overview)
    _name_shown(schemes, result, latest_url, latest_units)
    return {
        "categories": result,
        "issues": issues,
        "latest": latest,
        "latest_url": latest_url,
        "pending": pending_work(year),
    }


def _name_shown(schemes, overviews, latest_url, latest_units):
    """Give the overdue cells and the units behind their names and links: one query for the names of the units
    shown (a few dozen a table), not of every unit."""
    unit_ids = {unit_id for o in overviews for _, unit_id, _ in o.overdue} | {u for o in overviews for u, _ in o.behind}
    names = {}
    if unit_ids:
        ids = sorted(unit_ids)
        names = dict(fetch(f"SELECT id, name FROM {quoted_table(Unit)} WHERE id IN ({placeholders(ids)})", ids))
    for scheme, overview in zip(schemes, overviews, strict=True):
        titles = {i.pk: i.title for i in scheme.indicators.all()}
        grid, slug = overview.grid_link, overview.slug
        # Only the shown items get their phrase and link: the others are counted, not formatted.
        overview.overdue = [
            OverdueCell(names[u], titles[i], cell_due.date, cell_due.phrase, overdue_link(grid, i, names[u]), u)
            for cell_due, u, i in overview.overdue
        ]
        in_latest = latest_units.get(scheme.pk, ())
        overview.behind = [
            (names[u], n, _anchor(latest_url, slug, u) if u in in_latest else "") for u, n in overview.behind
        ]


def pending_work(year):
    """What waits for the office in `year`: cases to review and units' requests about * items (one query of both
    counts, written out: two ORM counts' compile was most of their CPU)."""
    mark, indicator, scheme = quoted_table(Mark), quoted_table(Indicator), quoted_table(Scheme)
    pending = sorted(PENDING_STATUSES)
    [(cases, requests)] = fetch(
        f"SELECT (SELECT COUNT(*) FROM {quoted_table(Case)} WHERE year = %s AND status IN ({placeholders(pending)})),"
        f" (SELECT COUNT(*) FROM {quoted_table(MarkRequest)} r JOIN {mark} m ON m.id = r.mark_id"
        f" JOIN {indicator} i ON i.id = m.indicator_id JOIN {scheme} s ON s.id = i.scheme_id"
        " WHERE r.status = %s AND s.year = %s)",
        [year, *pending, MarkRequest.Status.SUBMITTED, year],
    )
    return {
        "cases": cases,
        # Who reviews opens the queue; a leader reads the same cases in the list (can.review_cases picks).
        "review_link": f"{reversed_url('cases:review')}?status=pending&year={year}",
        "cases_link": f"{reversed_url('cases:list')}?status=pending&year={year}",
        "requests": requests,
        "requests_link": reversed_url("units:requests"),
    }
