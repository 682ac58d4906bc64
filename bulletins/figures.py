"""What the overview reads of a published version's tables, counted once when the version is published.

The overview's trend shows, for each published issue of the year, each table's done percent and * count, and
links the units behind to their rows in the latest issue. Both come from the frozen snapshot, which at a country's
scale is megabytes of JSON per version (180,000 cells): parsed on every request of the overview for every issue of
the year, it was most of the page. A version never changes, so its figures are counted when it is published
(`bulletins.services.publish_issue`) and kept beside its snapshot (`IssueVersion.figures`, `.table_units`);
versions published before were counted by migration 0003 with this same function, so the overview never reads a
snapshot. Cells are classified by the one vocabulary (assessment.models.MarkState): √ or a reported count is done,
* or 0 is pending, 已说明 / 已说明情况 is explained; 非考核项 and 无 do not count.
"""

from collections import Counter

from assessment.models import EXPLAINED_STATES, MarkState

DONE, PENDING, EXPLAINED = "done", "pending", "explained"
KINDS = (DONE, EXPLAINED, PENDING)


def classify(value):
    """done / pending / explained, or None for a cell that does not count (非考核项, 无, empty)."""
    if value == MarkState.DONE or (value.isdigit() and int(value) > 0):
        return DONE
    if value == MarkState.PENDING or value == "0":
        return PENDING
    if value in EXPLAINED_STATES:
        return EXPLAINED
    return None


def table_counts(table):
    """{done, explained, pending: cells} of a frozen table: its cells' texts counted first (a country's issue
    has 180,000 cells of a few dozen texts), then each text classified once."""
    counts = dict.fromkeys(KINDS, 0)
    for value, n in Counter(value for row in table["rows"] for value in row["values"]).items():
        kind = classify(value)
        if kind:
            counts[kind] += n
    return counts


def version_figures(data):
    """(figures, table_units) of a snapshot: {scheme id: {done, explained, pending}} and {scheme id: [unit ids
    of its rows, in order]}, keyed by the scheme id as text (JSON keys)."""
    tables = data.get("tables", [])
    figures = {str(t["scheme_id"]): table_counts(t) for t in tables}
    units = {str(t["scheme_id"]): [row["unit_id"] for row in t["rows"]] for t in tables}
    return figures, units
