"""The overview's lists written as HTML in Python, byte for byte what templates/bulletins/overview.html's loops wrote.

A category's section lists its due counts, its first overdue cells (up to 50), its columns' shares, its units
behind, its trend (a point per issue) and the cells changed since the issue before (every one of them): rendered
by the template engine, each value of each item cost ~80 µs (a third of the page), and each change reversed the
issue's address. Here each item is one f-string, its texts escaped (html.escape, what the template's autoescape
does), its numbers ints or floats written as the template wrote them (str). The template keeps the rest of the
page. tests/test_overview_html.py renders the loops these replaced and compares.
"""

from dataclasses import dataclass
from html import escape

from django.utils.safestring import mark_safe

EMPTY = "（空）"  # a changed cell's value before or after when it was empty (the template's `default`)


@dataclass(frozen=True)
class CategoryHtml:
    """The lists of one category's section (bulletins.overview.CategoryOverview) as safe HTML strings."""

    status_heads: str
    status_counts: str
    overdue: str
    shares: str
    behind: str
    trend_title: str
    gridlines: str
    points: str
    trend_rows: str
    changes: str


def _safe(parts):
    return mark_safe("".join(parts))  # noqa: S308 — every value is escaped or a number


def _text(value):
    return escape(str(value))


def overdue_items(overdue, urge):
    """The <li> of the overdue cells (bulletins.overview.OverdueCell); `urge`: the 催办 link (core.links.IdLink)
    when the reader manages units, else None."""
    prefix, suffix = (_text(urge.prefix), _text(urge.suffix)) if urge is not None else ("", "")
    parts = []
    for o in overdue:
        unit = _text(o.unit)
        date = o.date.isoformat() if o.date is not None else ""
        link = (
            f' <a class="urge-link" href="{prefix}{_text(o.unit_id)}{suffix}" aria-label="催办{unit}">催办</a>'
            if urge is not None and o.unit_id
            else ""
        )
        parts.append(
            f'<li><span class="due-date">{date}</span> <span class="due-badge due-overdue">{_text(o.phrase)}</span>'
            f' <a href="{_text(o.link)}">{unit} · {_text(o.indicator)}</a>{link}</li>'
        )
    return _safe(parts)


def shares(items):
    """The <li> of the columns' shares (bulletins.overview.Share) with their bars."""
    parts = []
    for s in items:
        percent = s.percent
        parts.append(
            f'\n            <li><a href="{_text(s.link)}">'
            f'\n              <span class="share-title">{_text(s.title)} '
            f'<span class="muted">{_text(s.points_label)}</span></span>'
            '\n              <svg class="share-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true"'
            ' focusable="false">'
            '\n                <rect class="pending" x="0" y="0" width="100" height="8"/>'
            f'\n                <rect class="done" x="0" y="0" width="{percent}" height="8"/>'
            f'\n                <rect class="explained" x="{percent}" y="0" width="{s.explained_percent}" height="8"/>'
            "\n              </svg>"
            f'\n              <span class="share-figure">{percent}%（{s.done}/{s.counted}）</span>'
            "\n            </a></li>\n          "
        )
    return _safe(parts)


def behind(category):
    """The <li> of the units with the most * ((name, count, link to their row in the latest issue or ""))."""
    most = category.most_pending
    parts = []
    for name, count, link in category.behind:
        name = _text(name)
        shown = f'<a href="{_text(link)}">{name}</a>' if link else name
        parts.append(
            f"\n              <li>{shown}"
            f'\n                <svg class="behind-bar" viewBox="0 0 {most} 6" preserveAspectRatio="none"'
            f' aria-hidden="true"><rect x="0" y="0" width="{count}" height="6"/></svg>'
            f'\n                <span class="share-figure">{count} 项</span></li>\n            '
        )
    return _safe(parts)


def trend(category):
    """(chart title's points, gridlines, points, the table's rows) of the category's trend chart."""
    title = "，".join(f"{_text(p.label)} {p.percent}%" for p in category.trend)
    left, right, label_x = category.left, category.axis_x2, category.left - 6
    gridlines = [
        f'\n              <line class="grid" x1="{left}" x2="{right}" y1="{y}" y2="{y}"/>'
        f'\n              <text class="axis-label" x="{label_x}" y="{y}" text-anchor="end"'
        f' dominant-baseline="middle">{pct}%</text>\n            '
        for pct, y in category.gridlines
    ]
    points, rows = [], []
    for p in category.trend:
        label = _text(p.label)
        points.append(
            f'\n              <circle class="trend-point" cx="{p.x}" cy="{p.y}" r="5"><title>{label}：{p.percent}%，'
            f"* {p.pending} 项</title></circle>"
            f'\n              <text class="point-label" x="{p.x}" y="{p.y}" dy="-9" text-anchor="middle">'
            f"{p.percent}%</text>"
            f'\n              <text class="axis-label" x="{p.x}" y="{category.axis_y}" dy="18" text-anchor="middle">'
            f"{label}</text>\n            "
        )
        rows.append(
            f'<tr><th scope="row"><a href="{_text(p.link)}">{label}</a></th><td>{p.percent}%</td>'
            f"<td>{p.pending}</td></tr>"
        )
    return mark_safe(title), _safe(gridlines), _safe(points), _safe(rows)  # noqa: S308 — escaped


def changes(category, latest_url):
    """The <li> of the cells changed in the latest issue (its `changes` of the category's table), each linking
    to the unit's row there; `latest_url`: the issue's address (reversed once, not once per change)."""
    parts = []
    row = f"{_text(latest_url)}#unit-{_text(category.slug)}-"
    for change in category.changes or ():
        before, after = change["before"] or EMPTY, change["after"] or EMPTY
        parts.append(
            f'\n                <li><a href="{row}{_text(change["unit_id"])}">'
            f"{_text(change['unit'])}</a> · {_text(change['indicator'])}：{_text(before)} → {_text(after)}</li>"
            "\n              "
        )
    return _safe(parts)


def category_html(category, *, latest_url, urge):
    """CategoryHtml of a CategoryOverview; `latest_url`: the latest issue's address (or ""), `urge`: as
    `overdue_items`."""
    status_heads = _safe(
        f'<th scope="col"><span class="due-badge due-{_text(status.value)}">{_text(status.label)}</span></th>'
        for status, _ in category.statuses
    )
    status_counts = _safe(f'<td data-status="{_text(status.value)}">{n}</td>' for status, n in category.statuses)
    title, gridlines, points, rows = trend(category)
    return CategoryHtml(
        status_heads=status_heads,
        status_counts=status_counts,
        overdue=overdue_items(category.overdue, urge),
        shares=shares(category.shares),
        behind=behind(category),
        trend_title=title,
        gridlines=gridlines,
        points=points,
        trend_rows=rows,
        changes=changes(category, latest_url),
    )
