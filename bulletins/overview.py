"""Figures of the leaders' overview: where each category stands now, and how the year's issues went.

"Now" comes from the live progress tables (assessment.tables.build_tables, read through its output),
with each cell's due status as every page shows it (assessment.due, through the cells);
the trend comes from the snapshots of the year's published issues. Cells are classified by the one
vocabulary (assessment.models.MarkState): √ or a reported count is done, * is pending, 已说明 /
已说明情况 is explained; 非考核项 and 无 do not count. Charts are plain SVG geometry for the template.
"""

import heapq
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from assessment import cells, tallies
from assessment import due as due_rules
from assessment.due import DueStatus, value_status
from assessment.models import EXPLAINED_STATES, MarkRequest, MarkState, SchemeUnit
from assessment.tables import schemes_with_parts
from cases.models import Case, CaseStatus

from .models import Issue

DONE, PENDING, EXPLAINED = "done", "pending", "explained"
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


def classify(value):
    """done / pending / explained, or None for a cell that does not count (非考核项, 无, empty)."""
    if value == MarkState.DONE or (value.isdigit() and int(value) > 0):
        return DONE
    if value == MarkState.PENDING or value == "0":
        return PENDING
    if value in EXPLAINED_STATES:
        return EXPLAINED
    return None


def grid_url(year, slug, indicator_id):
    """The entry grid filtered to one indicator's column (the grid is built on another branch)."""
    return f"/assessment/{year}/{slug}/?indicator={indicator_id}"


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
    return reverse("bulletins:issue", args=[issue.year, issue.number])


def _anchor(url, slug, unit_id=None):
    """The issue's table of `slug`, or a unit's row in it; `url` is the issue's address, reversed once per issue."""
    return f"{url}#unit-{slug}-{unit_id}" if unit_id else f"{url}#table-{slug}"


def _table_percent(table):
    """A frozen table's done percent and * count: its cells' texts counted first (a country's issue has 180,000
    cells of a few dozen texts), then each text classified once."""
    share = Share(title="")
    for value, n in Counter(value for row in table["rows"] for value in row["values"]).items():
        share.add(value, n)
    return share.percent, share.pending


@dataclass
class _Live:
    """What the overview reads of one table's live cells, counted by the database (assessment.tallies) rather
    than made cell by cell: a country's year holds 180,000 cells, and a Cell with its Due for each was seconds.

    `words`: {indicator id: [(word, shown number or None, how many cells)]}; `pending`: the cells showing *,
    (unit id, indicator id, Due) in the table's row and column order; `behind`: {unit id: its cells showing
    * or 0}; `units`: (unit id, name) in row order.
    """

    words: dict
    pending: list = field(default_factory=list)
    behind: dict = field(default_factory=dict)
    units: list = field(default_factory=list)


def _live(schemes):
    """{scheme id: _Live} of the schemes (indicators prefetched): 5 queries and the derived columns' 2."""
    live = {s.pk: _Live({}) for s in schemes}
    enrolled = SchemeUnit.objects.filter(scheme__in=schemes).order_by("order", "pk")
    for scheme_id, unit_id, name in enrolled.values_list("scheme_id", "unit_id", "unit__name"):
        live[scheme_id].units.append((unit_id, name))
    # The derived columns' cells (奖惩案例) read once, for the counts and the * cells alike.
    read = tallies.derived_cells(schemes, enrolled={pk: [u for u, _ in t.units] for pk, t in live.items()})
    words = tallies.tallies_for(schemes, pending_units=False, derived_read=read).words
    pending = tallies.pending_cells(schemes, derived_read=read)
    indicators = {i.pk: i for s in schemes for i in s.indicators.all()}  # their scheme set by tallies
    due_of = cells.due_finder(indicators, due_rules.today())  # every changed date of the columns: a few
    for table in live.values():
        table.words = words
    for unit_id, indicator_id in [*pending, *tallies.zero_cells(schemes)]:
        behind = live[indicators[indicator_id].scheme_id].behind
        behind[unit_id] = behind.get(unit_id, 0) + 1
    for scheme in schemes:
        table = live[scheme.pk]
        row = {unit_id: n for n, (unit_id, _) in enumerate(table.units)}
        column = {i.pk: n for n, i in enumerate(scheme.indicators.all())}
        mine = sorted((row[u], column[i], u, i) for u, i in pending if i in column)
        table.pending = [(u, i, due_of(u, i, MarkState.PENDING)) for _, _, u, i in mine]
    return live


def year_overview(year):
    """[CategoryOverview] for the year's schemes, in category order; None when the year has no scheme."""
    schemes = list(schemes_with_parts(units=False, notes=False).filter(year=year).order_by("category__order"))
    if not schemes:
        return None
    live = _live(schemes)
    issues = list(
        Issue.objects.filter(year=year, current_version__isnull=False)
        .select_related("current_version")
        .defer("current_version__search_text")
        .order_by("number")
    )
    latest = issues[-1] if issues else None
    issue_urls = {issue.pk: _issue_url(issue) for issue in issues}  # reversed once per issue, not per cell
    latest_url = issue_urls[latest.pk] if latest else ""
    latest_units = {}
    if latest:
        for frozen in latest.current_version.snapshot["tables"]:
            latest_units[frozen["scheme_id"]] = {row["unit_id"] for row in frozen["rows"]}
    result = []
    for scheme in schemes:
        slug, scheme_id, table = scheme.category.slug, scheme.pk, live[scheme.pk]
        indicators = list(scheme.indicators.all())
        grid = reverse("assessment:grid", args=[year, slug])  # one link pattern for the overdue list
        overview = CategoryOverview(name=scheme.category.name, slug=slug, year=year, grid_link=grid)
        shares = [
            Share(title=i.title, points_label=i.points_label, link=grid_url(year, slug, i.pk)) for i in indicators
        ]
        counts = dict.fromkeys(STATUS_COLUMNS, 0)
        for indicator, share in zip(indicators, shares, strict=True):
            for state, number, n in table.words.get(indicator.pk, ()):
                value = str(number) if number is not None else state  # the cells' shown text
                share.add(value, n)
                status = value_status(value)  # a *'s status is its date's: counted below, cell by cell
                if status is not None and counts_as_status(status, value):
                    counts[status] += n
        by_pk = {i.pk: i for i in indicators}
        names = dict(table.units)
        overdue = []
        for unit_id, indicator_id, cell_due in table.pending:
            counts[cell_due.status] += 1
            if cell_due.status == DueStatus.OVERDUE:
                overdue.append((cell_due, names[unit_id], by_pk[indicator_id], unit_id))
        behind = []
        for unit_id, name in table.units:
            pending = table.behind.get(unit_id, 0)
            if pending:
                in_latest = latest and unit_id in latest_units.get(scheme_id, ())
                link = _anchor(latest_url, slug, unit_id) if in_latest else ""
                behind.append((name, pending, link))
        overview.statuses = [(DueStatus(status), n) for status, n in counts.items()]
        overview.overdue_total = len(overdue)
        # Only the shown items get their phrase and link: the others are counted, not formatted.
        overview.overdue = [
            OverdueCell(
                name, indicator.title, cell_due.date, cell_due.phrase, overdue_link(grid, indicator.pk, name), pk
            )
            for cell_due, name, indicator, pk in heapq.nsmallest(OVERDUE_SHOWN, overdue, key=lambda item: item[0].date)
        ]
        overview.shares = [s for s in shares if s.counted]
        overview.behind = sorted(behind, key=lambda b: -b[1])[:TOP_UNITS]
        for issue in issues:
            frozen = next((t for t in issue.current_version.snapshot["tables"] if t["scheme_id"] == scheme_id), None)
            if frozen is not None:
                percent, pending = _table_percent(frozen)
                overview.trend.append(
                    TrendPoint(f"第{issue.number}期", percent, pending, _anchor(issue_urls[issue.pk], slug))
                )
        overview.layout_trend()
        if latest:
            overview.latest_link = _anchor(latest_url, slug)
            changes = latest.current_version.changes or {}
            if changes:
                overview.changes = changes.get("tables", {}).get(str(scheme_id))
                overview.changes_against = changes.get("against")
        result.append(overview)
    return {"categories": result, "issues": issues, "latest": latest, "pending": pending_work(year)}


def pending_work(year):
    """What waits for the office in `year`: cases to review and units' requests about * items (2 queries)."""
    cases = Case.objects.filter(year=year, status__in=[CaseStatus.SUBMITTED, CaseStatus.RESUBMITTED]).count()
    requests = MarkRequest.objects.filter(
        status=MarkRequest.Status.SUBMITTED, mark__indicator__scheme__year=year
    ).count()
    return {
        "cases": cases,
        # Who reviews opens the queue; a leader reads the same cases in the list (can.review_cases picks).
        "review_link": f"{reverse('cases:review')}?status=pending&year={year}",
        "cases_link": f"{reverse('cases:list')}?status=pending&year={year}",
        "requests": requests,
        "requests_link": reverse("units:requests"),
    }
