"""What the quarterly table's page (/cases/<year>/) adds to cases.quarterly: its units read a page at a time, its
rows written as HTML.

A country's table has 15,000 units: without a filter the pager counts them with the sections and reads only
the page's 100 (`SectionUnits`); the rows are written here, not by a template loop, which cost a third of the
page (templates/cases/quarterly.html prints `rows_html`).
"""

from html import escape

from django.template.defaultfilters import floatformat
from django.utils.safestring import mark_safe


class SectionUnits:
    """(section, RowUnit) of every enrolled unit of the sections in order, as core.paging.paginate slices a list:
    its length is the sections' `unit_count`, a slice reads only its units, with their stored counts
    (`QuarterSection.page_units`)."""

    def __init__(self, sections):
        self.sections = sections

    def __len__(self):
        return sum(section.unit_count for section in self.sections)

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("SectionUnits is read by slices")
        start, stop, _ = index.indices(len(self))
        pairs = []
        for section in self.sections:
            n = section.unit_count
            first, last = max(start, 0), min(stop, n)
            if first < last:
                pairs.extend((section, unit) for unit in section.page_units(first, last))
            start, stop = start - n, stop - n
        return pairs


# the indentation the template's loop printed: a row, its cells, a quarter's cell
_TR, _TD, _QUARTER_TD = "\n" + " " * 14, "\n" + " " * 16, "\n" + " " * 18


def _cell_class(cell, exempt):
    if cell.flagged and not exempt:
        return "missing"
    return "" if cell.due else "not-due"


def _cells_html(row, deductions):
    """(the <tr>'s class attribute, its cells after the unit's name) of a QuarterRow; `deductions`: the
    deductions written so far (a few values for a page of rows)."""
    exempt = escape(row.exempt_label)
    quarters = "".join(f'{_QUARTER_TD}<td class="{_cell_class(c, exempt)}">{c.count}</td>{_TD}' for c in row.quarters)
    missed = exempt or "、".join(escape(m) for m in row.missed) or "无"
    if row.deduction is None:
        deduction = exempt
    elif (deduction := deductions.get(row.deduction)) is None:
        deduction = deductions[row.deduction] = floatformat(row.deduction, "-2")
    cells = (
        f'{quarters}{_TD}<td class="spans">{escape(row.spans_label)}</td>{_TD}<td class="total">{row.total}</td>'
        f'{_TD}<td>{missed}</td>{_TD}<td class="deduction">{deduction}</td>{_TR}</tr>\n{" " * 12}'
    )
    return ' class="flagged"' if row.flagged else "", cells


def rows_html(section, entries):
    """The <tr> of the rows of these entries of the QuarterSection as one safe string, as the template's loop
    printed them (its whitespace kept): the unit's name, each quarter's count (missing / not-due), the spans, the
    total, the quarters missed or the exempting word, the deduction. Every text is escaped; the counts are ints.

    Units of one kind without an exempting cell have the same cells: written once a kind (`section.row`).
    """
    kinds, deductions, parts = {}, {}, []
    for entry in entries:
        found = kinds.get(entry.kind) if entry.mark is None else None
        if found is None:
            found = _cells_html(section.row(entry), deductions)
            if entry.mark is None:
                kinds[entry.kind] = found
        flagged, cells = found
        name = escape(entry.unit.name)
        parts.append(f'{_TR}<tr{flagged} data-unit="{name}">{_TD}<th scope="row">{name}</th>{_TD}{cells}')
    return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped or an int
