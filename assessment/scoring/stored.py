"""Stored scores (UnitYearScore): each enrolled unit's totals kept for a date, ranked by the database.

Writing: `refresh_scores` alone writes the rows, from the scoring arithmetic (live_scores). Keeping them
true: every change to what a score stands on clears the rows it touches in the writer's own transaction
(`invalidate`, called by the signals `watch` connects, and by the writers that bypass signals). A refresh
writes a row only if its `generation` is still the one it read before reading the data, so a score computed
from data a concurrent writer then changed is never stored as current.

Reading: `year_ranking` refreshes what is stale (not for today, or cleared) and reads every unit's totals in
ranking order; a unit's lines are made only when shown (`load_lines` for a page of them).
"""

import datetime
from collections import defaultdict
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from assessment import due
from assessment.models import Scheme, SchemeUnit, Unit, UnitYearScore
from assessment.raw_sql import fetch, field_reader, quoted_table
from assessment.scoring.categories import CategoryScores
from assessment.scoring.lines import UnitScore
from assessment.scoring.live import line_schemes, live_lines, live_scores, year_schemes
from assessment.scoring.rules import rules_from_scheme
from assessment.scoring.year_rules import year_rules

STORE_CHUNK = 1000  # rows per UPDATE: 4 parameters each, within SQLite's 32,766


def invalidate(*, unit_ids=None, scheme_ids=None):
    """Clear the stored scores of these units (every year) or of these schemes' units; neither: all of them."""
    rows = UnitYearScore.objects.all()
    if unit_ids is not None:
        unit_ids = [u for u in set(unit_ids) if u is not None]
        if not unit_ids:
            return
        rows = rows.filter(scheme_unit__unit_id__in=unit_ids)
    elif scheme_ids is not None:
        scheme_ids = [s for s in set(scheme_ids) if s is not None]
        if not scheme_ids:
            return
        rows = rows.filter(scheme_unit__scheme_id__in=scheme_ids)
    rows.update(as_of=None, generation=F("generation") + 1)


def watch(model, *, units=None, schemes=None, moves=False):
    """Clear the stored scores a save or delete of `model` touches.

    `units(instance)` / `schemes(instance)`: the ids of the units / schemes whose scores it changes (neither:
    every score). `moves`: the instance can change unit or scheme, so its stored row before the save counts too.
    """

    def clear(instance):
        if units is not None:
            invalidate(unit_ids=units(instance))
        elif schemes is not None:
            invalidate(scheme_ids=schemes(instance))
        else:
            invalidate()

    def after(sender, instance, **kwargs):
        clear(instance)

    def before(sender, instance, **kwargs):
        if instance.pk is not None:
            old = sender.objects.filter(pk=instance.pk).first()
            if old is not None:
                clear(old)

    uid = f"stored-scores-{model._meta.label}"
    post_save.connect(after, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(after, sender=model, weak=False, dispatch_uid=uid)
    if moves:
        pre_save.connect(before, sender=model, weak=False, dispatch_uid=uid)


def watch_m2m(through, *, schemes):
    """Clear the schemes' stored scores when a many-to-many of theirs changes."""

    def changed(sender, instance, action, **kwargs):
        if action in ("post_add", "post_remove", "post_clear", "pre_clear"):
            invalidate(scheme_ids=schemes(instance))

    m2m_changed.connect(changed, sender=through, weak=False, dispatch_uid=f"stored-scores-{through._meta.label}")


def _chunks(items, size):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _create_missing(year):
    """An empty (stale) row for every enrolled unit of `year` without one, in one statement."""
    table, units, schemes = (m._meta.db_table for m in (UnitYearScore, SchemeUnit, Scheme))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scheme_unit_id, year, generation) SELECT su.id, s.year, 0 FROM {units} su"
            f" JOIN {schemes} s ON s.id = su.scheme_id WHERE s.year = %s"
            f" AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.scheme_unit_id = su.id)"
            " ON CONFLICT (scheme_unit_id) DO NOTHING",  # another request's first read at the same time
            [year],
        )


def _store(rows, as_of, now):
    """Write [(row id, generation read, deduction, year-end deduction)]: each only if its generation is unchanged.

    One UPDATE … FROM (VALUES …) per STORE_CHUNK rows (PostgreSQL; SQLite ≥ 3.33): a writer that bumped a row since
    its generation was read holds it until it commits, and the UPDATE then finds the generation changed.
    """
    table = UnitYearScore._meta.db_table
    decimal = connection.ops.adapt_decimalfield_value
    for chunk in _chunks(rows, STORE_CHUNK):
        values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
        cast = "CAST(v.column3 AS NUMERIC)", "CAST(v.column4 AS NUMERIC)"
        params = [as_of, now]
        for pk, generation, deduction, year_end_deduction in chunk:
            params += [pk, generation, decimal(deduction, 8, 2), decimal(year_end_deduction, 8, 2)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET deduction = {cast[0]}, year_end_deduction = {cast[1]}, as_of = %s,"
                f" computed_at = %s FROM (VALUES {values}) AS v"
                f" WHERE {table}.scheme_unit_id = v.column1 AND {table}.generation = v.column2",
                params,
            )


def refresh_scores(year, unit_ids=None, as_of=None):
    """Compute and store the scores of `year` (only `unit_ids` if given) as of `as_of` (default today).

    The one writer of UnitYearScore; the totals are live_scores' own. Returns the CategoryScores it computed
    (ranked among the units computed). A row changed by a concurrent writer after its generation was read
    keeps `as_of` empty: the next read computes it again.
    """
    rows = stored_rows(year)
    if unit_ids is not None:
        unit_ids = set(unit_ids)
        rows = [row for row in rows if row.unit_id in unit_ids]
    return refresh_rows(year, rows, unit_ids, as_of or due.today())


def refresh_rows(year, rows, unit_ids, as_of, schemes=None):
    """refresh_scores of `rows` (from stored_rows, read before the data: their generations are the ones kept);
    `schemes`: year_schemes(year) when the caller has read them."""
    if any(row.generation is None for row in rows):
        with transaction.atomic():
            _create_missing(year)
    read = {(row.scheme_id, row.unit_id): (row.pk, row.generation or 0) for row in rows}
    schemes = list(year_schemes(year)) if schemes is None else schemes
    categories = live_scores(schemes, as_of=as_of, unit_ids=unit_ids)
    store = []
    for scheme, category in zip(schemes, categories, strict=True):
        for score in category.units:
            row = read.get((scheme.pk, score.unit_id))
            if row is not None:  # enrolled after the rows were read: the next read computes it
                store.append((*row, score.deduction, score.year_end_deduction))
    with transaction.atomic():
        _store(store, as_of, timezone.now())
    return categories


def refresh_stale(as_of=None):
    """Recompute every stored score not for `as_of` (default today): the nightly job. Returns how many."""
    as_of = as_of or due.today()
    stale = UnitYearScore.objects.filter(Q(as_of__isnull=True) | ~Q(as_of=as_of))
    years = sorted(set(stale.values_list("year", flat=True)))
    count = stale.count()
    for year in years:
        refresh_scores(year, as_of=as_of)
    return count


class Lines:
    """Each shown unit's lines, made from the live data in one batch for the units asked for together.

    `schemes`: year_schemes(year), read when first needed to score units, unless given; a unit's lines are made
    with these or, when the Rules were read as rows, with the schemes' indicators alone (live.line_schemes).
    """

    def __init__(self, year, schemes=None):
        self.year, self.made = year, {}
        if schemes is not None:
            self.schemes = list(schemes)

    @cached_property
    def schemes(self):
        return list(year_schemes(self.year))

    @cached_property
    def _line_schemes(self):
        """The schemes as live_lines reads them with these Rules: the scoring ones if read, else lighter ones."""
        return self.schemes if "schemes" in self.__dict__ else list(line_schemes(self.rules))

    @cached_property
    def rules(self):
        """{scheme id: its Rules} in the schemes' order, made once for the request's uses (sections, ranked rows,
        lines): from the schemes if they were read, else from a few rows (scoring.year_rules)."""
        if "schemes" in self.__dict__:
            return {scheme.pk: rules_from_scheme(scheme) for scheme in self.schemes}
        return year_rules(self.year)

    def keep(self, categories):
        """Keep the lines of units just scored (`categories`: live_scores of self.schemes), made once."""
        for scheme, category in zip(self.schemes, categories, strict=True):
            for score in category.units:
                self.made[(scheme.pk, score.unit_id)] = score.lines

    def load(self, keys):
        keys = [k for k in keys if k not in self.made]
        if not keys:
            return
        self.made.update(live_lines(self._line_schemes, keys, rules=self.rules))

    def lines(self, scheme_id, unit_id):
        self.load([(scheme_id, unit_id)])
        return self.made[(scheme_id, unit_id)]


class UnitLines:
    """A stored unit's line_maker: one small object per unit (a province makes 20,000 per request)."""

    __slots__ = ("source", "key")

    def __init__(self, source, key):
        self.source, self.key = source, key

    def __call__(self):
        return self.source.lines(*self.key)


def _ranked(rules, rows, lines):
    """UnitScores of one scheme from its rows in ranking order: competition ranks (1, 2, 2, 4), ties marked."""
    scores, counts = [], defaultdict(int)
    previous, current = None, 0
    for position, row in enumerate(rows, start=1):
        if row.year_end_deduction != previous:
            current, previous = position, row.year_end_deduction
        counts[current] += 1
        score = UnitScore.under(
            rules,
            row.unit_id,
            row.unit_name,
            lines=None,
            totals=(row.deduction, row.year_end_deduction),
            line_maker=UnitLines(lines, (row.scheme_id, row.unit_id)),
            rank=current,
        )
        scores.append(score)
    for score in scores:
        score.tied = counts[score.rank] > 1
    return scores


class StoredRow(NamedTuple):
    pk: int  # the SchemeUnit's, the row's too
    scheme_id: int
    unit_id: int
    unit_name: str
    deduction: Decimal | None
    year_end_deduction: Decimal | None
    as_of: datetime.date | None
    generation: int | None  # None: no row yet


def stored_rows(year, where=None):
    """Every enrolled unit of `year` with its stored score (if any), in ranking order, in one query (`where`: a Q
    on SchemeUnit keeping some of them)."""
    rows = (
        SchemeUnit.objects.filter(scheme__year=year)
        .filter(where or Q())
        .order_by("scheme__category__order", "scheme_id", "stored_score__year_end_deduction", "order", "pk")
        .values_list(
            "pk",
            "scheme_id",
            "unit_id",
            "unit__name",
            "stored_score__deduction",
            "stored_score__year_end_deduction",
            "stored_score__as_of",
            "stored_score__generation",
        )
    )
    return [StoredRow._make(row) for row in rows]


def stale_rows(year, as_of):
    """The StoredRows of `year` whose stored score is not for `as_of` (cleared, missing, of another day), in no order:
    few, between the nightly refresh and the next change, and none on most reads. stored_rows(year,
    ~Q(stored_score__as_of=as_of)) written as SQL, what every scores page asks first."""
    su, scheme, unit, score = (quoted_table(m) for m in (SchemeUnit, Scheme, Unit, UnitYearScore))
    sql = (
        "SELECT su.id, su.scheme_id, su.unit_id, u.name, sc.deduction, sc.year_end_deduction, sc.as_of, sc.generation"
        f" FROM {su} su JOIN {scheme} s ON s.id = su.scheme_id JOIN {unit} u ON u.id = su.unit_id"
        f" LEFT JOIN {score} sc ON sc.scheme_unit_id = su.id"
        " WHERE s.year = %s AND (sc.as_of IS NULL OR sc.as_of <> %s)"
    )
    read = [field_reader(UnitYearScore, name) for name in ("deduction", "year_end_deduction", "as_of", "generation")]
    return [
        StoredRow(*row[:4], *(reader(value) for reader, value in zip(read, row[4:], strict=True)))
        for row in fetch(sql, [year, connection.ops.adapt_datefield_value(as_of)])
    ]


def make_current(year, lines, as_of=None):
    """Refresh the stale stored scores of `year` until every enrolled unit's is for `as_of` (default today).

    `lines`: the page's Lines (of year_schemes(year)), which keeps the lines of the units scored here. True when
    they all are current; False when writers kept changing some units through three rounds (the caller then scores
    the year from the data, as year_ranking does). Most of the year stale (a new day before the nightly job, a
    scheme changed): the whole year is scored at once.
    """
    as_of = as_of or due.today()
    for _ in range(3):
        stale = stale_rows(year, as_of)
        if not stale:
            return True
        if len(stale) * 4 > SchemeUnit.objects.filter(scheme__year=year).count():
            rows, unit_ids = stored_rows(year), None
        else:
            rows, unit_ids = stale, {row.unit_id for row in stale}
        lines.keep(refresh_rows(year, rows, unit_ids, as_of, lines.schemes))
    return not stale_rows(year, as_of)


def year_ranking(year):
    """The live CategoryScores of `year` as of today, from the stored scores (stale ones refreshed first).

    The same figures, ranks and order as live.year_scores: the totals are the ones it computes, stored.
    Lines are made when read: pass a page's units to `load_lines` first.
    """
    schemes = list(year_schemes(year))
    lines = Lines(year, schemes)
    if not make_current(year, lines):  # writers kept changing these units: score the year from the data, unstored
        return live_scores(schemes)
    by_scheme = defaultdict(list)
    for row in stored_rows(year):
        by_scheme[row.scheme_id].append(row)
    return [
        CategoryScores.of_rules(rules, _ranked(rules, by_scheme[scheme.pk], lines))
        for scheme, rules in ((scheme, lines.rules[scheme.pk]) for scheme in schemes)
    ]


def load_lines(scores):
    """Make the lines of `scores` (a page's units from year_ranking) in one batch, not one unit at a time."""
    batches = defaultdict(list)
    for score in scores:
        if isinstance(score.line_maker, UnitLines):
            batches[score.line_maker.source].append(score.line_maker.key)
    for source, keys in batches.items():
        source.load(keys)


def watch_assessment():
    """What a score stands on in this app: cells, due overrides, records, schemes, units (apps.ready)."""
    from assessment.models import Category, Deduction, DueOverride, Indicator, Mark, Note, RuleGroup, Scheme, Unit

    def unit_of(instance):
        return [instance.unit_id]

    def scheme_of(instance):
        return [instance.scheme_id]

    watch(Mark, units=unit_of)
    watch(DueOverride, units=unit_of, moves=True)
    watch(Deduction, units=unit_of, moves=True)
    watch(SchemeUnit, units=unit_of, moves=True)
    watch(Unit, units=lambda unit: [unit.pk])
    watch(Scheme, schemes=lambda scheme: [scheme.pk])
    watch(Category, schemes=lambda category: Scheme.objects.filter(category=category.pk).values_list("pk", flat=True))
    for model in (Indicator, Note, RuleGroup):
        watch(model, schemes=scheme_of, moves=True)
    watch_m2m(Note.indicators.through, schemes=scheme_of)
