"""How many cases each unit reported in a year: accepted cases plus offline records, in one query.

The progress tables (`assessment.tables.build_tables`), the quarterly table and scoring all
read counts from here, so the 奖惩案例 cell and note 6's deduction agree.
"""

from collections import defaultdict

from django.db.models import Count, F, Sum

from assessment import derived
from assessment.due import due_quarters

from .duty import per_quarter_of, shortfalls
from .models import QUARTER_LABELS, Case, CaseCountRecord, CaseStatus


def quarterly_counts(year, unit_ids=None):
    """{unit_id: {quarter or (first, last): count}} of accepted cases and offline records in `year`.

    Cases and records of one quarter count under the quarter; offline records covering several
    quarters under their span, e.g. (1, 3) for “前三季度” (cases.duty.shortfalls fills only those).
    One query whatever the number of units or cases: both sources grouped by unit and quarters
    in the database and joined with UNION ALL.
    """
    cases, records = _sources(year, unit_ids)
    cases = (
        cases.values("source_unit_id", "quarter")
        .annotate(last=F("quarter"), n=Count("pk"))
        .values_list("source_unit_id", "quarter", "last", "n")
    )
    records = (
        records.values("unit_id", "first_quarter", "last_quarter")
        .annotate(n=Sum("count"))
        .values_list("unit_id", "first_quarter", "last_quarter", "n")
    )
    result = defaultdict(lambda: defaultdict(int))
    for unit_id, first, last, n in cases.union(records, all=True):
        result[unit_id][first if first == last else (first, last)] += n
    return {unit_id: dict(by_quarter) for unit_id, by_quarter in result.items()}


def _sources(year, unit_ids):
    """The year's accepted cases (with a unit) and offline records, of `unit_ids` if given: what is counted."""
    cases = Case.objects.filter(year=year, status=CaseStatus.ACCEPTED, source_unit__isnull=False)
    records = CaseCountRecord.objects.filter(year=year)
    if unit_ids is not None:
        unit_ids = list(unit_ids)
        cases = cases.filter(source_unit_id__in=unit_ids)
        records = records.filter(unit_id__in=unit_ids)
    return cases.order_by(), records.order_by()


def year_counts(year, unit_ids=None, quarterly=None):
    """{unit_id: count} for the year: what the 奖惩案例 cell shows (`quarterly`: quarterly_counts if at hand).

    Without `quarterly`, one query that totals each unit's cases and records in the database (a row or two
    per unit, not one per unit and quarter): the sum of quarterly_counts' numbers, as with it.
    """
    if quarterly is not None:
        return {unit_id: sum(by_quarter.values()) for unit_id, by_quarter in quarterly.items()}
    cases, records = _sources(year, unit_ids)
    cases = cases.values("source_unit_id").annotate(n=Count("pk")).values_list("source_unit_id", "n")
    records = records.values("unit_id").annotate(n=Sum("count")).values_list("unit_id", "n")
    totals = defaultdict(int)
    for unit_id, n in cases.union(records, all=True):
        totals[unit_id] += n
    return dict(totals)


class CaseCounts(derived.Derivation):
    """The 奖惩案例 column, derived: the number is the unit's accepted cases plus its offline records, and
    what note 6 deducts is the cases short of the duty in every quarter due by the scoring date.

    Registered in CasesConfig.ready, so the assessment layer (cells, scoring) reads it without importing cases.
    """

    source = "奖惩案例记录"

    def applies(self, indicator):
        return indicator.accepts_count

    def read(self, year, unit_ids=None):
        """The year's quarterly_counts of every unit, or of `unit_ids` (one query)."""
        return quarterly_counts(year, unit_ids)

    def counts(self, year, indicators, unit_ids=None, reading=None):
        """{(unit id, indicator id): number}; `reading`: the year's quarterly_counts when the caller has them."""
        totals = year_counts(year, unit_ids, reading)
        return {(unit_id, i.pk): n for i in indicators for unit_id, n in totals.items()}

    def shortfalls(self, year, indicator, as_of, unit_ids, reading=None):
        """{(unit id, indicator id): [(quarter label, missing)]} for every unit of `unit_ids` as of `as_of`.

        `reading`: the year's quarterly_counts when the caller has them (then no query for the counts).
        """
        due = due_quarters(year, as_of)
        per_quarter = per_quarter_of(indicator)  # its CaseDuty: one query unless prefetched
        counts = quarterly_counts(year, unit_ids) if reading is None else reading
        result = {}
        for unit_id in unit_ids:
            missing = shortfalls(counts.get(unit_id, {}), due=due, per_quarter=per_quarter)
            result[unit_id, indicator.pk] = [(QUARTER_LABELS[q], n) for q, n in missing.items() if n]
        return result
