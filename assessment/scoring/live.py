"""Scores of the database: the schemes prefetched, the quarters due for a date, live and frozen scores."""

import datetime
from collections import defaultdict

from django.db.models import Prefetch

from assessment import cells, derived
from assessment.models import Deduction, Indicator, RuleGroup, Scheme, SchemeUnit, YearEndAssessment
from assessment.scoring.categories import CategoryScores, score_category
from assessment.scoring.rules import CASES_SOURCE, Record, rules_from_scheme
from assessment.scoring.scores import score_unit


def scoring_schemes(queryset=None, *, units=True):
    """Schemes with everything scoring reads prefetched (5 queries in all; 4 without `units`).

    Without `units` the enrolled units are not prefetched: `live_scores` reads them as tuples
    (`enrolled_units`), since a province's thousands of SchemeUnit and Unit instances, tied to their
    scheme in reference cycles, were left on every scores request for the garbage collector's full passes.
    """
    queryset = Scheme.objects.all() if queryset is None else queryset
    prefetch = [
        Prefetch("indicators", queryset=Indicator.objects.order_by("order").prefetch_related("notes")),
        Prefetch("rule_groups", queryset=RuleGroup.objects.select_related("note")),
    ]
    if units:
        prefetch.append(
            Prefetch("scheme_units", queryset=SchemeUnit.objects.select_related("unit").order_by("order", "pk"))
        )
    return queryset.select_related("category").prefetch_related(*prefetch)


def enrolled_units(schemes, unit_ids=None):
    """{scheme id: [(unit id, unit name)]} in printed order, in one query (only `unit_ids` if given)."""
    enrolled = {s.pk: [] for s in schemes}
    rows = SchemeUnit.objects.filter(scheme__in=list(enrolled)).order_by("order", "pk")
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    for scheme_id, unit_id, name in rows.values_list("scheme_id", "unit_id", "unit__name"):
        enrolled[scheme_id].append((unit_id, name))
    return enrolled


def _shortfall_records(case_shortfall):
    records = defaultdict(list)
    for (unit_id, indicator_id), quarters in (case_shortfall or {}).items():
        for label, missing in quarters:
            if missing:
                records[unit_id].append(
                    Record(
                        indicator_id=indicator_id,
                        date=str(label),
                        count=int(missing),
                        reason=str(label),
                        source=CASES_SOURCE,
                    )
                )
    return records


def year_end(year):
    """The scoring date of the year-end assessment: every quarter of `year` is due."""
    return datetime.date(year + 1, 1, 1)


def derived_shortfalls(schemes, as_of=None, enrolled=None, readings=None):
    """{(unit id, indicator id): [(label, missing), …]} of every derived column of `schemes` as of `as_of`.

    The derivations registered by higher apps (assessment.derived; the cases app for 奖惩案例) say what is
    missing: per due quarter, the cases short of the duty. They count like confirmed recorded misses.
    `enrolled`: `enrolled_units(schemes)` if at hand; `readings`: a derived.Readings shared with the cells.
    """
    schemes = list(schemes)
    enrolled = enrolled_units(schemes) if enrolled is None else enrolled
    result = {}
    for scheme in schemes:
        unit_ids = [unit_id for unit_id, _ in enrolled[scheme.pk]]
        for indicator in scheme.indicators.all():
            derivation = derived.derivation_for(indicator)
            if derivation is not None:
                reading = readings.of(derivation, scheme.year) if readings is not None else None
                result.update(derivation.shortfalls(scheme.year, indicator, as_of, unit_ids, reading))
    return result


def live_scores(schemes, *, as_of=None, case_shortfall=None, unit_ids=None):
    """CategoryScores per scheme (from `scoring_schemes`), computed now from the cells and the records.

    The cells are the ones every page shows (assessment.cells). `as_of` is the scoring date (default today):
    the quarters due by then count for the derived columns. `case_shortfall` replaces those shortfalls
    (the same shape as `derived_shortfalls`). `unit_ids`: score only these units (their ranks are then
    among them only; scoring.stored keeps every unit's totals and ranks them in the database).
    """
    schemes = list(schemes)
    enrolled = enrolled_units(schemes, unit_ids)
    cells_by_unit, records_by_unit = _scored_data(schemes, enrolled, as_of, case_shortfall, unit_ids)
    return [
        score_category(rules_from_scheme(scheme), enrolled[scheme.pk], cells_by_unit, records_by_unit)
        for scheme in schemes
    ]


def live_lines(schemes, keys, *, as_of=None, rules=None):
    """{(scheme id, unit id): the unit's Lines under that scheme} for `keys`, enrolled pairs of `schemes`.

    The lines live_scores makes (the same data, the same score_unit), for a page of units already ranked by
    the stored scores (scoring.stored): not ranked, no totals summed, their enrolment not read again.
    `rules`: {scheme id: rules_from_scheme(scheme)} when the caller has made them.
    """
    schemes = list(schemes)
    enrolled = {s.pk: [] for s in schemes}
    for scheme_id, unit_id in keys:
        enrolled[scheme_id].append((unit_id, ""))
    unit_ids = {unit_id for _, unit_id in keys}
    cells_by_unit, records_by_unit = _scored_data(schemes, enrolled, as_of, None, unit_ids)
    made = {}
    for scheme in schemes:
        scheme_rules = rules[scheme.pk] if rules is not None else rules_from_scheme(scheme)
        shared = {}
        for unit_id, name in enrolled[scheme.pk]:
            cells_of, records = cells_by_unit.get(unit_id, {}), records_by_unit.get(unit_id, ())
            score = score_unit(scheme_rules, unit_id, name, cells_of, records, shared=shared)
            made[(scheme.pk, unit_id)] = score.lines
    return made


def _scored_data(schemes, enrolled, as_of, case_shortfall, unit_ids):
    """({unit id: {indicator id: cell text}}, {unit id: [Record]}) of the `enrolled` units, what scoring reads."""
    # the case counts, read once for the cells and for the shortfalls (of `unit_ids` only, when given)
    readings = derived.Readings(unit_ids)
    if case_shortfall is None:
        case_shortfall = derived_shortfalls(schemes, as_of, enrolled, readings)
    deductions = Deduction.objects.filter(indicator__scheme__in=schemes).select_related("entered_by")
    if unit_ids is not None:
        deductions = deductions.filter(unit_id__in=list(unit_ids))
    # scoring reads texts only
    enrolled_ids = {sid: [uid for uid, _ in units] for sid, units in enrolled.items()}
    cells_by_unit = cells.texts_for(schemes, enrolled_ids, readings, unit_ids)
    records_by_unit = _shortfall_records(case_shortfall)
    for d in deductions.order_by("date", "pk"):
        records_by_unit[d.unit_id].append(Record.from_deduction(d))
    return cells_by_unit, records_by_unit


def year_schemes(year):
    """The schemes of `year` as live_scores reads them (their units: see scoring_schemes)."""
    return scoring_schemes(Scheme.objects.filter(year=year), units=False).order_by("category__order", "pk")


def line_schemes(scheme_ids):
    """The schemes of these ids as live_lines reads them when their Rules are made apart (scoring.year_rules): with
    their indicators, not their notes and rule groups (2 queries)."""
    indicators = Prefetch("indicators", queryset=Indicator.objects.order_by("order"))
    return Scheme.objects.filter(pk__in=list(scheme_ids)).prefetch_related(indicators)


def year_scores(year, *, as_of=None, case_shortfall=None):
    """The live scores of every category of `year` as of `as_of` (default today)."""
    return live_scores(year_schemes(year), as_of=as_of, case_shortfall=case_shortfall)


def latest_assessment(year):
    return YearEndAssessment.objects.filter(year=year).select_related("closed_by").order_by("-version").first()


def frozen_scores(assessment):
    """The CategoryScores frozen in a year-end assessment."""
    return [CategoryScores.from_dict(c, assessment.year) for c in assessment.results["categories"]]


def closed_deduction_texts(years):
    """{(year, category slug, unit id): 扣分情况} of the closed years among `years`, in one query.

    Each unit's text comes from the latest year-end version (UnitScore.deduction_text, the one function
    that writes it from the frozen lines), so every progress table of the year, its workbooks and the
    API say what the scores page says. A year not yet closed has no entry: its column stays as printed.
    """
    latest = {}
    for assessment in YearEndAssessment.objects.filter(year__in=set(years)).order_by("year", "-version"):
        latest.setdefault(assessment.year, assessment)
    return {
        (year, category.category_slug, score.unit_id): score.deduction_text
        for year, assessment in latest.items()
        for category in frozen_scores(assessment)
        for score in category.units
    }


def freeze(categories):
    """Results JSON of a year-end assessment: every “*” without explanation becomes a deduction."""
    return {"categories": [c.finalized().to_dict() for c in categories]}


def unit_score(unit, year):
    """The unit's score for `year`: frozen from the latest year-end assessment, else live. None if not assessed.

    For the unit page: pass the result to templates/assessment/score_breakdown.html as `score`.
    """
    assessment = latest_assessment(year)
    if assessment is not None:
        for category in frozen_scores(assessment):
            for score in category.units:
                if score.unit_id == unit.pk:
                    return score
    # The unit's whole scheme is scored so that its rank is its rank among all the units.
    schemes = year_schemes(year).filter(scheme_units__unit=unit)
    for category in live_scores(schemes):
        for score in category.units:
            if score.unit_id == unit.pk:
                return score
    return None
