"""Stored tallies (models.tallies): the columns' counts and each unit's * kept as rows, not grouped per request.

Why: a province's year page, grid and overview count every enrolled cell; grouping 180,000 marks cost each
request 70–115 ms whatever it showed. Now they read a few hundred rows (`assessment.tallies`).

Keeping them true, in the writer's own transaction: a mark saved or deleted (signals: its value before, its
value after), marks set in bulk (`marks.bulk` passes the old and new values it read under lock: `apply_cells`,
one statement per table whatever the number of cells), a unit joining, leaving or moving (SchemeUnit), a
column deleted (its marks' deletions; its ColumnTally rows go with it). Each such write first bumps its
scheme's `generation`. A writer that bypasses signals (bulk_create of marks or enrolments: the new year, the
benchmark's data) calls `invalidate`, and a scheme whose SchemeTally is stale or missing is counted again on its
next read (`ensure_current`: one GROUP BY, as before) — stored only if no writer bumped the generation in the
meantime (the pattern of scoring.stored), so a concurrent write is never lost. `rebuild_all` (the nightly job
`rebuild_tallies`) counts every scheme again and logs any drift it finds.

What counts is the live rule (`live_counts`, also the tests'): the marks of enrolled units, per column
(indicator, value); per enrolled unit its typed cells showing * (PENDING_MARKS; a derived column's cells come
from other records, assessment.derived).
"""

import logging
from collections import Counter

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from core.prepared import Prepared

from . import derived
from .models import ColumnTally, Indicator, Mark, MarkState, Scheme, SchemeTally, SchemeUnit, UnitPending, cell_text

logger = logging.getLogger(__name__)

# A typed cell that shows * (models.cell_text: its number when it holds one, else its word).
PENDING_MARKS = Q(state=MarkState.PENDING, count__isnull=True)
CHUNK = 500  # rows per statement: 3 parameters each, within SQLite's limits


def is_pending(state, count):
    """PENDING_MARKS of one value."""
    return state == MarkState.PENDING and count is None


def _ids(values):
    return sorted({v for v in values if v is not None})


def _chunks(items, size=CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- invalidating and bumping ---------------------------------------------------------------------------------


def invalidate(scheme_ids):
    """Mark these schemes' stored tallies stale (a writer that changed marks or enrolment without signals)."""
    ids = _ids(scheme_ids)
    if ids:
        SchemeTally.objects.filter(pk__in=ids).update(built_at=None, generation=F("generation") + 1)


def _bump(scheme_ids):
    """A writer is about to change these schemes' counts: a rebuild that counted before must not store its counts.

    The UPDATE also locks the rows until the writer commits, so a rebuild's write waits for it."""
    ids = _ids(scheme_ids)
    if ids:
        SchemeTally.objects.filter(pk__in=ids).update(generation=F("generation") + 1)


# --- applying deltas ------------------------------------------------------------------------------------------


def _upsert(model, key_columns, rows):
    """Add [(key…, delta)] with delta > 0: insert the row or add to it (one statement per CHUNK rows)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    keys, cells = ", ".join(quote(c) for c in key_columns), quote("cells")
    width = len(key_columns) + 1
    for chunk in _chunks(rows):
        values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({keys}, {cells}) VALUES {values}"
                f" ON CONFLICT ({keys}) DO UPDATE SET {cells} = {table}.{cells} + excluded.{cells}",
                [v for row in chunk for v in row],
            )


def _subtract(model, key_columns, rows):
    """Add [(key…, delta)] with delta < 0 to rows that exist (UPDATE … FROM (VALUES …), never an insert: the
    column or unit may be going in the same deletion)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    width = len(key_columns) + 1
    match = " AND ".join(f"{table}.{quote(c)} = v.column{n}" for n, c in enumerate(key_columns, start=1))
    for chunk in _chunks(rows):
        values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {quote('cells')} = {table}.{quote('cells')} + CAST(v.column{width} AS INTEGER)"
                f" FROM (VALUES {values}) AS v WHERE {match}",
                [v for row in chunk for v in row],
            )


def _write(model, key_columns, deltas):
    rows = [(*(key if isinstance(key, tuple) else (key,)), delta) for key, delta in sorted(deltas.items()) if delta]
    if rows:
        _upsert(model, key_columns, [r for r in rows if r[-1] > 0])
        _subtract(model, key_columns, [r for r in rows if r[-1] < 0])


def apply_cells(changes, enrolled=None):
    """Count [(indicator, unit id, state, count, ±1)]: a cell's old value -1, its new value +1.

    `indicator`: an Indicator (its scheme_id, and whether it is derived). Only the cells of enrolled units count
    (`enrolled`: {(scheme id, unit id): scheme unit id} when the caller knows; else read in one query). The
    schemes' generations are bumped first; then one statement per table and sign, whatever the number of cells.
    """
    changes = [c for c in changes if c[4]]
    if not changes:
        return
    if enrolled is None:
        pairs = SchemeUnit.objects.filter(
            scheme_id__in=_ids(c[0].scheme_id for c in changes), unit_id__in=_ids(c[1] for c in changes)
        )
        enrolled = {(s, u): pk for s, u, pk in pairs.values_list("scheme_id", "unit_id", "pk")}
    columns, pending, schemes = Counter(), Counter(), set()
    for indicator, unit_id, state, count, delta in changes:
        scheme_unit = enrolled.get((indicator.scheme_id, unit_id))
        if scheme_unit is None:
            continue
        schemes.add(indicator.scheme_id)
        columns[indicator.pk, cell_text(state, count)] += delta
        if is_pending(state, count) and not derived.is_derived(indicator):
            pending[scheme_unit] += delta
    if not schemes:
        return
    _bump(schemes)
    _write(ColumnTally, ["indicator_id", "value"], columns)
    _write(UnitPending, ["scheme_unit_id"], pending)


def _row_marks(scheme_id, unit_id, delta):
    """[(indicator, unit id, state, count, delta)] of one unit's marks in one scheme."""
    marks = Mark.objects.filter(unit_id=unit_id, indicator__scheme_id=scheme_id).select_related("indicator")
    return [(m.indicator, unit_id, m.state, m.count, delta) for m in marks.order_by()]


# --- counting again -------------------------------------------------------------------------------------------


def _typed(indicators):
    return [i.pk for i in indicators if not derived.is_derived(i)]


def live_counts(scheme_ids):
    """What the stored rows of these schemes should hold, counted from the marks now (one GROUP BY each).

    Returns ({(indicator id, value): cells}, {scheme unit id: typed cells showing *}), zeros left out.
    """
    indicators = list(Indicator.objects.filter(scheme_id__in=scheme_ids))
    enrolled = SchemeUnit.objects.filter(scheme_id=OuterRef("indicator__scheme_id"), unit_id=OuterRef("unit_id"))
    marks = Mark.objects.filter(indicator_id__in=[i.pk for i in indicators]).filter(Exists(enrolled)).order_by()
    columns = {}
    for indicator_id, state, count, n in marks.values_list("indicator_id", "state", "count").annotate(n=Count("pk")):
        key = (indicator_id, cell_text(state, count))
        columns[key] = columns.get(key, 0) + n
    pending_marks = Mark.objects.filter(indicator_id__in=_typed(indicators)).filter(PENDING_MARKS).order_by()
    pending_marks = pending_marks.annotate(scheme_unit=Subquery(enrolled.values("pk")[:1]))
    pending = dict(pending_marks.filter(scheme_unit__isnull=False).values_list("scheme_unit").annotate(n=Count("pk")))
    return columns, pending


def stored_counts(scheme_ids):
    """The stored rows of these schemes as `live_counts` gives them (zeros left out)."""
    columns = ColumnTally.objects.filter(indicator__scheme_id__in=scheme_ids).exclude(cells=0)
    pending = UnitPending.objects.filter(scheme_unit__scheme_id__in=scheme_ids).exclude(cells=0)
    return (
        {(i, v): n for i, v, n in columns.values_list("indicator_id", "value", "cells")},
        dict(pending.values_list("scheme_unit_id", "cells")),
    )


def _create_missing(scheme_ids):
    """A stale SchemeTally for each of these schemes without one (a scheme made by bulk_create, or before them)."""
    table, schemes = (connection.ops.quote_name(m._meta.db_table) for m in (SchemeTally, Scheme))
    ids = _ids(scheme_ids)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (scheme_id, generation, built_at) SELECT s.id, 0, NULL FROM {schemes} s"
            f" WHERE s.id IN ({', '.join(['%s'] * len(ids))})"
            " ON CONFLICT (scheme_id) DO NOTHING",  # another request's first read at the same time
            ids,
        )


def refresh(scheme_ids):
    """Count these schemes again and store the counts; returns the ids stored.

    A scheme whose generation a writer bumped after it was read keeps its state (the writer's deltas are on the
    old rows, or it is stale): the counts made before that write are not stored.
    """
    ids = _ids(scheme_ids)
    if not ids:
        return []
    _create_missing(ids)
    read = dict(SchemeTally.objects.filter(pk__in=ids).values_list("pk", "generation"))
    columns, pending = live_counts(ids)
    with transaction.atomic():
        locked = dict(SchemeTally.objects.select_for_update().filter(pk__in=ids).values_list("pk", "generation"))
        fresh = [pk for pk in ids if pk in read and locked.get(pk) == read[pk]]
        if fresh:
            _replace(fresh, columns, pending)
    return fresh


def _replace(scheme_ids, columns, pending):
    """Put the counted rows of these schemes (locked, unchanged since counted) in place of their stored ones."""
    indicators = set(Indicator.objects.filter(scheme_id__in=scheme_ids).values_list("pk", flat=True))
    scheme_units = set(SchemeUnit.objects.filter(scheme_id__in=scheme_ids).values_list("pk", flat=True))
    ColumnTally.objects.filter(indicator_id__in=indicators).delete()
    UnitPending.objects.filter(scheme_unit__scheme_id__in=scheme_ids).delete()
    ColumnTally.objects.bulk_create(
        [ColumnTally(indicator_id=i, value=v, cells=n) for (i, v), n in columns.items() if i in indicators],
        batch_size=CHUNK,
    )
    UnitPending.objects.bulk_create(
        [UnitPending(scheme_unit_id=su, cells=n) for su, n in pending.items() if su in scheme_units],
        batch_size=CHUNK,
    )
    SchemeTally.objects.filter(pk__in=scheme_ids).update(built_at=timezone.now())


# The schemes' state, asked by every page that reads the tallies (the grid, the year page, the overview): compiled
# once per set of schemes (core.prepared).
_BUILT = Prepared(lambda ids: SchemeTally.objects.filter(pk__in=ids).values_list("pk", "built_at"))


def ensure_current(scheme_ids):
    """Count again the schemes whose tallies are stale; whether all are current now (else: read them live)."""
    ids = tuple(_ids(scheme_ids))
    for _ in range(3):
        built = dict(_BUILT.rows(ids))
        stale = [pk for pk in ids if built.get(pk) is None]
        if not stale:
            return True
        refresh(stale)
    return False  # writers kept changing them: the caller counts live this time


def rebuild_all():
    """Count every scheme again (the nightly job); returns [(scheme id, how many rows had drifted)].

    A scheme that was current and whose rows differ from the live counts had drifted: a writer that bypassed
    the rules above. Logged as a warning, then replaced.
    """
    drifted = []
    for scheme_id in Scheme.objects.order_by("pk").values_list("pk", flat=True):
        state = SchemeTally.objects.filter(pk=scheme_id).values_list("built_at", flat=True).first()
        if state is not None:
            live, stored = live_counts([scheme_id]), stored_counts([scheme_id])
            wrong = sum(len(set(a.items()) ^ set(b.items())) for a, b in zip(live, stored, strict=True))
            if wrong:
                logger.warning("考核方案 %s 的统计与完成情况不符（%s 处），已重新统计。", scheme_id, wrong)
                drifted.append((scheme_id, wrong))
        SchemeTally.objects.filter(pk=scheme_id).update(built_at=None, generation=F("generation") + 1)
        refresh([scheme_id])
    return drifted


# --- the signals ----------------------------------------------------------------------------------------------


def _old_row(model, instance, fields):
    """The row as stored before this save (locked when inside a transaction, so two saves count in turn)."""
    if instance.pk is None:
        return None
    rows = model.objects.filter(pk=instance.pk)
    if connection.in_atomic_block:
        rows = rows.select_for_update(of=("self",))
    return rows.values_list(*fields).first()


def _mark_before(sender, instance, raw=False, **kwargs):
    if not raw:
        instance._tally_before = _old_row(Mark, instance, ("indicator_id", "unit_id", "state", "count"))


def _mark_after(sender, instance, created=False, raw=False, **kwargs):
    if raw:  # loaddata, restore: the stored tallies come with the rows
        return
    before = getattr(instance, "_tally_before", None)
    instance._tally_before = None
    after = (instance.indicator_id, instance.unit_id, instance.state, instance.count)
    if before == after:
        return
    changes = [(instance.indicator, instance.unit_id, instance.state, instance.count, 1)]
    if before is not None:
        indicator = instance.indicator if before[0] == instance.indicator_id else Indicator.objects.get(pk=before[0])
        changes.append((indicator, *before[1:], -1))
    apply_cells(changes)


def _mark_deleted(sender, instance, **kwargs):
    # A column's deletion collects its marks without their indicator: read it then (gone with its scheme: skip).
    indicator = Mark._meta.get_field("indicator").get_cached_value(instance, None)
    indicator = indicator or Indicator.objects.filter(pk=instance.indicator_id).first()
    if indicator is not None:
        apply_cells([(indicator, instance.unit_id, instance.state, instance.count, -1)])


def _enrolment_before(sender, instance, raw=False, **kwargs):
    if not raw:
        instance._tally_before = _old_row(SchemeUnit, instance, ("scheme_id", "unit_id"))


def _enrolment_after(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_tally_before", None)
    instance._tally_before = None
    after = (instance.scheme_id, instance.unit_id)
    if before == after:
        return  # its place or its 扣分情况 changed, not its cells
    if before is not None:  # moved: its old row's cells no longer count
        apply_cells(_row_marks(*before, -1), enrolled={before: instance.pk})
    apply_cells(_row_marks(*after, 1), enrolled={after: instance.pk})


def _enrolment_deleted(sender, instance, **kwargs):
    key = (instance.scheme_id, instance.unit_id)
    apply_cells(_row_marks(*key, -1), enrolled={key: instance.pk})


def _scheme_created(sender, instance, created=False, raw=False, **kwargs):
    if created and not raw:
        SchemeTally.objects.get_or_create(scheme=instance)  # stale until first read: its marks may come in bulk


def _column_before(sender, instance, raw=False, **kwargs):
    if not raw:
        instance._tally_before = _old_row(Indicator, instance, ("scheme_id", "accepts_count"))


def _column_after(sender, instance, raw=False, **kwargs):
    before = getattr(instance, "_tally_before", None)
    instance._tally_before = None
    if not raw and before is not None and before != (instance.scheme_id, instance.accepts_count):
        invalidate([before[0], instance.scheme_id])  # moved, or derived now (or no longer): count again


def watch():
    """Connect the signals that keep the stored tallies true (AssessmentConfig.ready)."""
    uid = "stored-tallies"
    pre_save.connect(_mark_before, sender=Mark, weak=False, dispatch_uid=uid)
    post_save.connect(_mark_after, sender=Mark, weak=False, dispatch_uid=uid)
    post_delete.connect(_mark_deleted, sender=Mark, weak=False, dispatch_uid=uid)
    pre_save.connect(_enrolment_before, sender=SchemeUnit, weak=False, dispatch_uid=uid)
    post_save.connect(_enrolment_after, sender=SchemeUnit, weak=False, dispatch_uid=uid)
    pre_delete.connect(_enrolment_deleted, sender=SchemeUnit, weak=False, dispatch_uid=uid)
    post_save.connect(_scheme_created, sender=Scheme, weak=False, dispatch_uid=uid)
    pre_save.connect(_column_before, sender=Indicator, weak=False, dispatch_uid=uid)
    post_save.connect(_column_after, sender=Indicator, weak=False, dispatch_uid=uid)
