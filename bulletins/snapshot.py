"""The frozen form of an issue: what a published version stores, and how it is shown.

`take` reads an issue's working copy (its articles, cases, news and tables) into a plain,
JSON-ready dict; the tables come from `assessment.tables.build_tables`, read only through
its output (header, Row.values, Row.deduction_text, notes), so whatever that builder prints
is what gets frozen. `present` turns such a dict back into objects for the templates, the
same for a preview (taken on the fly) and a published version (read from the database).
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch

from assessment.tables import build_tables, schemes_with_parts
from core.office.models import MASTHEAD_FIELDS

from .models import HEADING, Issue, IssueCase

FORMAT = 1


# --- taking a snapshot


def _frozen_table(table):
    """One ProgressTable as printed at this moment."""
    return {
        "scheme_id": table.scheme.pk,
        "year": table.scheme.year,
        "category": {"name": table.category.name, "slug": table.category.slug},
        "header": [str(h) for h in table.header],
        "indicators": [{"id": i.pk, "title": i.title, "points_label": i.points_label} for i in table.indicators],
        "rows": [
            {
                "unit_id": row.unit.pk,
                "unit": row.unit.name,
                "values": [str(v) for v in row.values],
                "deduction_text": row.deduction_text or "",
            }
            for row in table.rows
        ],
        "notes": [{"number": n.number, "text": n.text} for n in table.notes],
    }


def live_tables(issue):
    """The issue's tables as they are now, frozen form, in the issue's order."""
    schemes = schemes_with_parts().filter(issue_tables__issue=issue).order_by("issue_tables__order")
    return [_frozen_table(t) for t in build_tables(schemes)]


def take(issue, tables=None):
    """The issue as it would be published now. `tables`: frozen tables to keep instead of live ones."""
    issue = (
        Issue.objects.filter(pk=issue.pk)
        .prefetch_related(
            "articles",
            "news_items",
            Prefetch("issue_cases", queryset=IssueCase.objects.select_related("case")),
        )
        .get()
    )
    return {
        "format": FORMAT,
        "issue": {
            "year": issue.year,
            "number": issue.number,
            "date": issue.date.isoformat(),
            **{name: getattr(issue, name) for name in MASTHEAD_FIELDS},
        },
        "articles": [{"title": a.title, "body": a.body} for a in issue.articles.all()],
        "cases": [
            {
                "case_id": item.case.pk,
                "kind": item.case.kind,
                "kind_label": item.case.get_kind_display(),
                "title": item.case.title,
                "subtitle": item.case.subtitle,
                "body": item.case.body,
                "source_label": item.case.source_label,
            }
            for item in issue.issue_cases.all()
        ],
        "news": [
            {"date": n.date.isoformat() if n.date else None, "text": n.text, "source": n.source}
            for n in issue.news_items.all()
        ],
        "tables": live_tables(issue) if tables is None else tables,
    }


def fingerprint(data):
    """A short digest of a snapshot: publishing refuses if the content changed after the preview."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:20]


def search_text(data):
    """Titles, articles, cases and news as plain text, for the archive search."""
    parts = []
    for article in data["articles"]:
        parts += [article["title"], article["body"]]
    for case in data["cases"]:
        parts += [f"{case['kind_label']}·{case['title']}", case["subtitle"], case["body"], case["source_label"]]
    for item in data["news"]:
        parts += [item["text"], item["source"]]
    return "\n".join(p for p in parts if p)


def summary(data):
    """One line for the archive and the feed: the articles' and cases' titles."""
    titles = [a["title"] for a in data["articles"]] + [f"{c['kind_label']}·{c['title']}" for c in data["cases"]]
    if not titles and data["news"]:
        titles = [data["news"][0]["text"]]
    text = "；".join(titles)
    return text if len(text) <= 500 else text[:499] + "…"


# --- since the last issue


def _issue_year(data):
    return (data.get("issue") or {}).get("year")


def diff(previous, current, against=None):
    """Cells that changed from `previous` to `current` (both snapshots), per table.

    Returns {"against": {...}, "tables": {scheme_id: [change, …]}}; a change names the unit,
    the column (index among the value columns; the last one is 扣分情况), before and after.
    Within a year a table is compared with the same scheme's, column by column. The first issue of a
    year is compared with the previous year's last issue (`across_years`): a table with the same
    category's, a column with the one of the same indicator title, a row by unit; 扣分情况 is not
    compared (each year's deductions are its own). A table with nothing to compare with is left out.
    """
    if not previous:
        return {}
    across = _issue_year(previous) != _issue_year(current)
    result = {"against": {**(against or {}), **({"across_years": True} if across else {})}, "tables": {}}
    if across:
        before_tables = {t["category"]["slug"]: t for t in previous["tables"]}
    else:
        before_tables = {t["scheme_id"]: t for t in previous["tables"]}
    for table in current["tables"]:
        old = before_tables.get(table["category"]["slug"] if across else table["scheme_id"])
        if old is None:
            continue
        column_key = "title" if across else "id"
        old_columns = [i[column_key] for i in old["indicators"]]
        old_rows = {r["unit_id"]: r for r in old["rows"]}
        titles = [i["title"] for i in table["indicators"]] + [table["header"][-1]]
        changes = []
        for row in table["rows"]:
            old_row = old_rows.get(row["unit_id"])
            if old_row is None:
                continue
            old_by_indicator = dict(zip(old_columns, old_row["values"], strict=True))
            cells = [old_by_indicator.get(i[column_key]) for i in table["indicators"]]
            cells.append(None if across else old_row["deduction_text"])
            for column, (was, now) in enumerate(zip(cells, [*row["values"], row["deduction_text"]], strict=True)):
                if was is not None and was != now:
                    changes.append(
                        {
                            "unit_id": row["unit_id"],
                            "unit": row["unit"],
                            "column": column,
                            "indicator": titles[column],
                            "before": was,
                            "after": now,
                        }
                    )
        result["tables"][str(table["scheme_id"])] = changes
    return result


def comparison_sentence(tables, changes, *, total=False):
    """What a table comparison says, in one place for the page and the publish page.

    `changes`: the diff ({"against", "tables"}); `tables`: [(scheme id, category name)] of the tables shown,
    in printed order. Never an empty sentence: the first issue of a year with nothing to compare says so.
    `total`: one count for the whole issue (“…相比，3 处单元格有变化”) instead of one per table.
    """
    against = (changes or {}).get("against") or None
    if against is None:
        return ""
    across = against.get("across_years", False)
    by_table = (changes or {}).get("tables", {})
    compared = [(name, by_table[str(key)]) for key, name in tables if str(key) in by_table]
    previous = f"{against['year']}年第{against['number']}期"
    if not compared:
        if across:
            return f"本年度第一期：{previous}是上年度的最后一期，没有可对照的表格。"
        return f"与{previous}相比：没有可对照的表格。"
    prefix = f"本年度第一期，与上年度最后一期{previous}（按单位和指标名称对照）相比" if across else f"与{previous}相比"
    count = sum(len(rows) for _, rows in compared)
    if total:
        return f"{prefix}，{count} 处单元格有变化" if count else f"{prefix}，表格没有变化"
    parts = [f"{name} {len(rows)} 处变化" if rows else f"{name}没有变化" for name, rows in compared]
    return f"{prefix}：{'；'.join(parts)}。" + ("变化的单元格以底色标出。" if count else "")


# --- showing a snapshot


@dataclass
class Cell:
    display: str
    before: str | None = None  # the previous issue's value when the cell changed

    @property
    def changed(self):
        return self.before is not None


@dataclass
class TableView:
    """A frozen table with the names the progress-table template reads; `start`/`stop` show a slice of its rows
    (a page of a long table: bulletins.published), `page_changes` the changes in those rows."""

    data: dict
    changes: list | None = None  # None: no previous issue to compare with
    start: int = 0
    stop: int | None = None
    rows: list = field(default_factory=list)

    def __post_init__(self):
        self.category = _Obj(**self.data["category"])
        self.indicators = [_Obj(**i) for i in self.data["indicators"]]
        self.header = self.data["header"]
        self.notes = [_Obj(**n) for n in self.data["notes"]]
        changed = {(c["unit_id"], c["column"]): c["before"] for c in self.changes or []}
        ncols = len(self.indicators)
        for row in self.data["rows"][self.start : self.stop]:
            cells = [Cell(v, changed.get((row["unit_id"], i))) for i, v in enumerate(row["values"])]
            self.rows.append(
                _Obj(
                    unit=_Obj(pk=row["unit_id"], name=row["unit"]),
                    cells=cells,
                    values=row["values"],
                    deduction_text=row["deduction_text"],
                    deduction_before=changed.get((row["unit_id"], ncols)),
                )
            )

    @property
    def anchor(self):
        return f"table-{self.category.slug}"

    @property
    def total_rows(self):
        return len(self.data["rows"])

    @property
    def page_changes(self):
        """The changes in the rows shown (all of them when the table is shown whole)."""
        if self.start == 0 and self.stop is None:
            return self.changes or []
        shown = {row.unit.pk for row in self.rows}
        return [c for c in self.changes or [] if c["unit_id"] in shown]


class _Obj:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


@dataclass
class Bulletin:
    """A snapshot ready for a template: masthead, sections and tables."""

    data: dict
    changes: dict | None = None
    page_rows: int | None = None  # a table longer than this shows its first page only (bulletins.published)

    @property
    def title(self):
        """The issue's full title, as the page, the PDF and the Word file name it: 刊名 刊头字样 年第N期."""
        return f"{self.series_title} {self.subtitle} {self.year}年第{self.number}期"

    def __post_init__(self):
        head = self.data["issue"]
        for name in MASTHEAD_FIELDS:
            setattr(self, name, head[name])
        self.year, self.number = head["year"], head["number"]
        self.date = date.fromisoformat(head["date"])
        self.year_label = f"〔{self.year}〕"
        self.articles = [
            _Obj(
                title=a["title"],
                blocks=[(bool(HEADING.match(line)), line) for line in a["body"].splitlines() if line.strip()],
            )
            for a in self.data["articles"]
        ]
        self.cases = [
            _Obj(
                kind=c["kind"],
                printed_title=f"{c['kind_label']}·{c['title']}",
                subtitle=c["subtitle"],
                paragraphs=[line for line in c["body"].splitlines() if line.strip()],
                source_label=c["source_label"],
            )
            for c in self.data["cases"]
        ]
        self.news = [
            _Obj(date=date.fromisoformat(n["date"]) if n["date"] else None, text=n["text"], source=n["source"])
            for n in self.data["news"]
        ]
        by_table = (self.changes or {}).get("tables", {})
        self.tables = [
            TableView(t, by_table.get(str(t["scheme_id"])) if self.changes else None, 0, self.page_rows)
            for t in self.data["tables"]
        ]

    @property
    def changed_cells(self):
        return sum(len(t.changes or []) for t in self.tables)

    @property
    def against(self):
        """The previous issue the changes are counted from ({year, number, version}), or None."""
        return (self.changes or {}).get("against") or None

    @property
    def _table_names(self):
        return [(t.data["scheme_id"], t.category.name) for t in self.tables]

    @property
    def changes_sentence(self):
        """“与2019年第11期相比：区镇 1 处变化；…。”, or what the first issue of a year compares with."""
        return comparison_sentence(self._table_names, self.changes)

    @property
    def changes_total(self):
        """The publish page's line: “与…相比，3 处单元格有变化” (or that there is nothing to compare)."""
        return comparison_sentence(self._table_names, self.changes, total=True)


def present(data, changes=None, page_rows=None):
    return Bulletin(data, changes, page_rows)


def table_view(data, changes, slug, start=0, stop=None):
    """The frozen table of category `slug` (its rows start:stop), or None when the snapshot has none."""
    for table in data["tables"]:
        if table["category"]["slug"] == slug:
            by_table = (changes or {}).get("tables", {})
            return TableView(table, by_table.get(str(table["scheme_id"])) if changes else None, start, stop)
    return None
