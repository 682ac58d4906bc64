"""What the entry grid pages compute: a year's completion figures, a row's cells, the plan of a bulk change.

Read-only helpers: marks still change only through `services.set_mark` / `bulk_set_marks`.
"""

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from html import escape

from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe

from assessment.models import Mark, MarkState, Scheme, SchemeUnit, cell_text
from assessment.raw_sql import fetch, placeholders, quoted_table
from assessment.stored_tallies import ensure_current
from assessment.tables import StateCounts, year_schemes
from assessment.tallies import derived_columns, pending_unit_counts, tallies_for
from core.errors import DomainError
from core.links import reversed_url


@dataclass
class CategoryProgress:
    """A year's scheme with its completion figures (the year page's table)."""

    scheme: Scheme
    counts: StateCounts
    units_pending: int

    @property
    def category(self):
        return self.scheme.category

    @cached_property
    def grid_link(self):
        """The category's entry grid (the row's three links: one reversal, not three)."""
        return reversed_url("assessment:grid", self.scheme.year, self.scheme.category.slug)


def year_progress(year):
    """One CategoryProgress per scheme of `year`, in category order: the cells' counts from the database
    (assessment.tallies), the same numbers as the cells every page shows, without making them. The schemes are
    read as every page reads them (tables.year_schemes), their enrolled units counted by one written-out
    GROUP BY (an ORM annotation's join and compile cost more than both)."""
    schemes = year_schemes(year)
    if not schemes:
        return []
    read = derived_columns(schemes)  # the derived columns' SQL, made once for both
    current = ensure_current([s.pk for s in schemes])  # whether the stored tallies are current, asked once for both
    tallies = tallies_for(schemes, pending_units=False, derived_read=read, current=current)
    pending = pending_unit_counts(schemes, derived_read=read, current=current)
    units = _enrolled_counts([s.pk for s in schemes])
    progress = []
    for s in schemes:
        indicators = list(s.indicators.all())
        s.unit_count, s.indicator_count = units.get(s.pk, 0), len(indicators)
        counts = StateCounts()
        for indicator in indicators:
            for state, number, n in tallies.words.get(indicator.pk, ()):
                counts.add(state, number, n)
        progress.append(CategoryProgress(scheme=s, counts=counts, units_pending=pending[s.pk]))
    return progress


def _enrolled_counts(scheme_ids):
    """{scheme id: its enrolled units}, of the schemes with any."""
    sql = f"SELECT scheme_id, COUNT(*) FROM {quoted_table(SchemeUnit)} WHERE scheme_id IN ({placeholders(scheme_ids)})"
    return dict(fetch(f"{sql} GROUP BY scheme_id", list(scheme_ids)))


def row_cells_html(cells, *, editable, history, memo=None):
    """The <td> of each cell of one grid row (assessment.cells.ShownCell or None), as one safe string.

    Made here, not in grid.html: a page holds a thousand cells with a dozen values each, which the template
    engine renders at ~100 µs a cell (a third of the page's time at province). The markup is what grid.js and
    tests/grid_html.py read. `history`: a mark's history link (core.links.IdLink, one reversal per page). Every
    text is escaped; numbers are ints.
    """
    # `memo`: what the rows of a page share (`rows_html`): {(column, value, id(Due)): the markup around the
    # mark's id and version} — cells of a column showing the same word share one Due (assessment.cells), so a
    # page's thousand cells are a few dozen kinds, each escaped and written once.
    memo = {} if memo is None else memo
    end = f'{history.suffix}" title="修改记录（H 键）" aria-label="修改记录" aria-keyshortcuts="h" tabindex="-1">⋯</a>'
    end += "</td>"
    parts = []
    for column, cell in enumerate(cells):
        if cell is None:
            kind = memo.get(column)
            if kind is None:
                kind = memo[column] = f'<td class="cell empty readonly" tabindex="-1" data-col="{column}"></td>'
            parts.append(kind)
            continue
        value, pk, version, cell_due = cell
        kind = memo.get((column, value, id(cell_due)))
        if kind is None:
            kind = memo[column, value, id(cell_due)] = _cell_kind(column, value, cell_due, editable, history)
        head, tail = kind
        parts.append(f'{head}{pk}" data-version="{version}{tail}{pk}{end}')
    return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped or an int


def _cell_kind(column, value, cell_due, editable, history):
    """The markup of a cell of `column` showing `value` with `cell_due`, around its mark's id and version: (before
    the id, after the version up to the history link's id)."""
    shown = escape(value)
    status = cell_due.status if cell_due else ""
    pending = " pending" if value == MarkState.PENDING else ""
    readonly = "" if editable else " readonly"
    mark = (
        (
            f'<span class="due-mark due-{status}" title="{escape(cell_due.mark_title)}">'
            f'<span class="visually-hidden">{escape(cell_due.mark_text)}</span></span>'
        )
        if cell_due is not None and cell_due.is_open
        else ""
    )
    return (
        f'<td class="cell{pending} due-{status}{readonly}" tabindex="0" data-col="{column}" data-mark="',
        f'" data-value="{shown}" data-status="{status}">{mark}<span class="cell-value">{shown}</span>'
        f'<a class="cell-history" href="{history.prefix}',
    )


def rows_html(rows, *, editable, manage, history, urge):
    """The grid's rows (assessment.grid_rows.PageRow) as one safe string of `<tr>`s: each unit's name (with its
    checkbox when `editable`, its 催办 link when `manage`), its cells (`row_cells_html`), its 扣分情况.

    Made here, not in grid.html, for the reason `row_cells_html` is: the markup is what the template's loop over
    the rows wrote, byte for byte (its indentation included). `history`, `urge`: a mark's history and a unit's
    催办 links (core.links.IdLink, one reversal per page). Every text is escaped; numbers are ints. "" without rows.
    """
    made = []
    memo = {}
    for row in rows:
        pk, name = row.unit_id, escape(row.name)
        check = (
            f'<input type="checkbox" name="unit" value="{pk}" form="bulk-form" aria-label="选择{name}"> '
            if editable
            else ""
        )
        urge_link = f' <a class="urge-link" href="{urge.url(pk)}" aria-label="催办{name}">催办</a>' if manage else ""
        cells = row_cells_html(row.cells, editable=editable, history=history, memo=memo)
        made.append(
            f'\n            <tr data-unit="{pk}">\n'
            f'              <th scope="row" class="unit-col">{check}{name}{urge_link}</th>\n'
            f"              {cells}\n"
            f'              <td class="deduction-col">{escape(row.deduction_text)}</td>\n            </tr>\n          '
        )
    return mark_safe("".join(made))  # noqa: S308 — every value is escaped or an int, the cells are safe


DERIVED_COLUMN_TITLE = "数量由奖惩案例记录自动统计，不能填写；可填非考核项等标记"


def column_heads_html(indicators):
    """The `<th>` of each shown column (grid.html's header) as one safe string: its title and points, the values
    it accepts (data-allowed, which grid.js reads), the derived column's note. Written here as `rows_html` is, the
    markup what the template's loop over the columns wrote, byte for byte; every text escaped, numbers ints."""
    heads = []
    for indicator in indicators:
        allowed = "|".join(escape(state) for state in indicator.allowed_states)
        note = f' class="derived-col" title="{DERIVED_COLUMN_TITLE}"' if indicator.is_derived else ""
        heads.append(
            f'\n              <th scope="col" data-indicator="{indicator.pk}" data-allowed="{allowed}"{note}>\n'
            f'                <span class="ind-title">{escape(indicator.title)}</span>'
            f' <span class="ind-points">{escape(indicator.points_label)}</span>\n              </th>\n            '
        )
    return mark_safe("".join(heads))  # noqa: S308 — every text is escaped, numbers are ints


def indicator_options_html(indicators, selected, *, allowed=False):
    """The `<option>` of each column for grid.html's two selects (the filter's; with `allowed`, the bulk form's,
    whose options carry the values the column accepts, which grid.js reads), `selected` the filtered column's id.
    The template's loops' markup, byte for byte; every text escaped, ids ints."""
    options = []
    for indicator in indicators:
        states = f' data-allowed="{"|".join(escape(s) for s in indicator.allowed_states)}"' if allowed else ""
        chosen = " selected" if indicator.pk == selected else ""
        options.append(f'<option value="{indicator.pk}"{states}{chosen}>{escape(indicator.title)}</option>')
    return mark_safe("".join(options))  # noqa: S308 — every text is escaped, ids are ints


def notes_html(notes):
    """The scheme's notes as grid.html lists them (`<li>` each, numbered as printed); the template's loop's markup."""
    return mark_safe(  # noqa: S308 — every text is escaped, numbers are ints
        "".join(f'<li value="{note.number}">{note.number}. {escape(note.text)}</li>' for note in notes)
    )


def summary_cells_html(counts):
    """The 合计 `<td>` of each shown column (grid.html's summary row; one StateCounts a column) as one safe string:
    √, *, 非考核项 and 已说明 always, 无 and 数量 when there are any (data-key: what grid.js updates as cells are
    saved, StateCounts.summary_keys). The template's loop's markup, byte for byte; numbers are ints."""
    cells = []
    for column, n in enumerate(counts):
        none = f'<span data-key="none">无 <b>{n.none}</b></span>' if n.none else ""
        numbers = f'<span data-key="numbers">数量 <b>{n.numbers}</b></span>' if n.numbers else ""
        cells.append(
            f'\n              <td class="summary" data-col="{column}">\n'
            f'                <span data-key="done">√ <b>{n.done}</b></span>\n'
            f'                <span data-key="pending">* <b>{n.pending}</b></span>\n'
            f'                <span data-key="not_assessed">非考核项 <b>{n.not_assessed}</b></span>\n'
            f'                <span data-key="explained">已说明 <b>{n.explained}</b></span>\n'
            f"                {none}\n                {numbers}\n              </td>\n            "
        )
    return mark_safe("".join(cells))  # noqa: S308 — numbers are ints


@dataclass
class BulkPlan:
    """The cells a bulk change would change, and how many go from what to what."""

    indicator: object
    value: str
    changes: list  # marks, in the table's row order
    unchanged: int
    transitions: list = field(default_factory=list)  # [(old text, how many)], most frequent first

    @property
    def summary(self):
        """E.g. "3 个单元格：* → √ 2 个，非考核项 → √ 1 个"."""
        if not self.changes:
            return f"没有需要修改的单元格（所选的 {self.unchanged} 个单元格已经是“{self.value}”）。"
        parts = "，".join(f"{old} → {self.value} {n} 个" for old, n in self.transitions)
        return f"{len(self.changes)} 个单元格：{parts}"


def plan_bulk(scheme, indicator, text, unit_ids=None):
    """Plan setting `indicator`'s column (or the rows of `unit_ids`) of `scheme` to `text`.

    `scheme` comes from `tables.schemes_with_parts` (its rows give the order). Raises DomainError
    for a column of another table, a read-only column, a value the column refuses, or units
    that are not rows of this table (a forged form).
    """
    if indicator.scheme_id != scheme.pk:
        raise DomainError("该指标不属于这张表。")
    try:
        state, count = indicator.parse(text)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    rows = {su.unit_id: position for position, su in enumerate(scheme.scheme_units.all())}
    if unit_ids is not None:
        unit_ids = set(unit_ids)
        if not unit_ids:
            raise DomainError("请先勾选要修改的单位。")
        if not unit_ids <= rows.keys():
            raise DomainError("所选的单位不在这张表中。")
    marks = Mark.objects.filter(indicator=indicator).select_related("unit", "indicator")
    if unit_ids is not None:
        marks = marks.filter(unit_id__in=unit_ids)
    marks = sorted((m for m in marks if m.unit_id in rows), key=lambda m: rows[m.unit_id])
    changes = [m for m in marks if (m.state, m.count) != (state, count)]
    return BulkPlan(
        indicator=indicator,
        value=cell_text(state, count),
        changes=changes,
        unchanged=len(marks) - len(changes),
        transitions=Counter(m.display for m in changes).most_common(),
    )
