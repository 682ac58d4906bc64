"""Stored accepted-case counts (CaseCount): each unit's accepted cases per year and quarter, kept true.

Counting a country's 200,000 cases on every page with a 奖惩案例 number cost 80–130 ms; these rows are read
instead (cases.counts). Keeping them true:

- Every save and delete of a Case (the services, the admin, load_demo: any `save()`/`delete()`) moves the
  counts it changes in the writer's own transaction (`watch`, connected in CasesConfig.ready): −1 where the
  case counted before, +1 where it counts now (accepted, with a unit; its year and quarter). Each such change
  first moves its year's `generation` (CaseCountYear), which also makes the writers of a year take turns.
- A writer that bypasses the signals (`bulk_create`, `QuerySet.update`, raw SQL: the benchmark's data, a
  restore's rows) calls `invalidate`: the year is stale, and the next read rebuilds it (`rebuild`). A rebuild
  counts the cases, then stores the result only if the year's generation is still the one it read before
  counting: a change committed in between is never overwritten by a count that missed it.
- The nightly job `rebuild_case_counts` rebuilds every year and logs any drift it finds (there should be none).
"""

import logging
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Count, F
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from core.prepared import Prepared

from .models import Case, CaseCount, CaseCountYear, CaseStatus

logger = logging.getLogger(__name__)

# The fields that decide where a case counts: a save that changes none of them changes no count.
COUNTED_FIELDS = frozenset({"status", "source_unit", "source_unit_id", "year", "quarter"})
CHUNK = 1000
UNCHANGED = object()  # a save that touches none of COUNTED_FIELDS


def counted_key(status, unit_id, year, quarter):
    """(unit id, year, quarter) where a case with these values counts, or None (not accepted, or no unit)."""
    if status != CaseStatus.ACCEPTED or unit_id is None:
        return None
    return (unit_id, year, quarter)


def counted_cases(year):
    """The cases of `year` that count (counted_key): accepted, with a unit."""
    return Case.objects.filter(year=year, status=CaseStatus.ACCEPTED, source_unit__isnull=False).order_by()


def live_counts(year):
    """{(unit id, quarter): accepted cases} of `year`, counted from the cases (what the rows must hold)."""
    rows = (
        counted_cases(year)
        .values("source_unit_id", "quarter")
        .annotate(n=Count("pk"))
        .values_list("source_unit_id", "quarter", "n")
    )
    return {(unit_id, quarter): n for unit_id, quarter, n in rows}


def stored_counts(year):
    """{(unit id, quarter): count} of the rows stored for `year` (zeros left out)."""
    rows = CaseCount.objects.filter(year=year, count__gt=0).values_list("unit_id", "quarter", "count")
    return {(unit_id, quarter): n for unit_id, quarter, n in rows}


# --- writers


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _move_generation(year):
    """A change of the year's counts: its generation moves (the row made if missing, then stale) and stays
    locked to the end of the writer's transaction (PostgreSQL), so writers and rebuilds of a year take turns."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(CaseCountYear)} (year, fresh, generation) VALUES (%s, %s, 1)"
            f" ON CONFLICT (year) DO UPDATE SET generation = {_table(CaseCountYear)}.generation + 1",
            [year, False],
        )


def _add(key, n):
    unit_id, year, quarter = key
    if n > 0:
        table = _table(CaseCount)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (unit_id, year, quarter, count) VALUES (%s, %s, %s, %s)"
                f" ON CONFLICT (year, unit_id, quarter) DO UPDATE SET count = {table}.count + excluded.count",
                [unit_id, year, quarter, n],
            )
        return
    done = CaseCount.objects.filter(unit_id=unit_id, year=year, quarter=quarter, count__gte=-n).update(
        count=F("count") + n
    )
    if not done:  # nothing to take from: the rows were stale (or drifted); the next read counts afresh
        invalidate([year])


def apply(before, after):
    """Move the stored counts for a case that counted at `before` and counts at `after` (counted_key's)."""
    if before == after:
        return
    with transaction.atomic():
        for year in sorted({key[1] for key in (before, after) if key is not None}):
            _move_generation(year)
        if before is not None:
            _add(before, -1)
        if after is not None:
            _add(after, 1)


def invalidate(years=None):
    """Mark these years' stored counts stale (None: every year's), for a writer that sends no signal.

    An UPDATE only: a year without a row is stale already (and a restore can then insert the archived row).
    """
    rows = CaseCountYear.objects.all() if years is None else CaseCountYear.objects.filter(year__in=list(years))
    rows.update(fresh=False, generation=F("generation") + 1)


def _db_key(pk):
    row = Case.objects.filter(pk=pk).values_list("status", "source_unit_id", "year", "quarter").first()
    return counted_key(*row) if row is not None else None


def _instance_key(case):
    return counted_key(case.status, case.source_unit_id, case.year, case.quarter)


def watch():
    """Keep the counts true on every save and delete of a Case (CasesConfig.ready)."""

    def before_save(sender, instance, raw=False, update_fields=None, **kwargs):
        if update_fields is not None and not COUNTED_FIELDS & set(update_fields):
            instance._counted_before = UNCHANGED
        else:
            instance._counted_before = _db_key(instance.pk) if instance.pk is not None else None

    def after_save(sender, instance, raw=False, **kwargs):
        before = instance.__dict__.pop("_counted_before", None)
        if before is UNCHANGED:
            return
        if raw:  # a fixture's or a restore's row (the archive may hold its counts too): rebuilt on the next read
            invalidate({instance.year} | ({before[1]} if before else set()))
            return
        apply(before, _instance_key(instance))

    def before_delete(sender, instance, **kwargs):
        instance._counted_before = _db_key(instance.pk)

    def after_delete(sender, instance, **kwargs):
        apply(instance.__dict__.pop("_counted_before", None), None)

    uid = "stored-case-counts"
    pre_save.connect(before_save, sender=Case, weak=False, dispatch_uid=uid)
    post_save.connect(after_save, sender=Case, weak=False, dispatch_uid=uid)
    pre_delete.connect(before_delete, sender=Case, weak=False, dispatch_uid=uid)
    post_delete.connect(after_delete, sender=Case, weak=False, dispatch_uid=uid)


# --- rebuilding


# Asked by every page with the 奖惩案例 column (make_current): compiled once (core.prepared).
_FRESH = Prepared(lambda year: CaseCountYear.objects.filter(year=year, fresh=True).values_list("pk")[:1])


def is_fresh(year):
    return _FRESH.first(year) is not None


def make_current(year):
    """Whether `year`'s stored rows can be read as they are: fresh, or rebuilt and stored now (one query when
    fresh). False while a writer changes the year: then its cases are to be counted themselves."""
    return is_fresh(year) or rebuild(year).stored


class Rebuilt(NamedTuple):
    stored: bool  # False: a writer changed the year meanwhile, its rows are left as they were (still stale)
    drift: dict  # {(unit id, quarter): (stored, counted)} where a fresh year's rows differed from its cases
    counts: dict  # {(unit id, quarter): accepted cases} as counted (a reader uses them, stored or not)


def rebuild(year, *, log_drift=False):
    """Count `year`'s cases and store them, unless a writer changed the year meanwhile (Rebuilt).

    `log_drift`: a year that was fresh and yet differs from its cases lost a change: logged (the nightly job).
    """
    with transaction.atomic():
        CaseCountYear.objects.bulk_create([CaseCountYear(year=year)], ignore_conflicts=True)
    generation, was_fresh = CaseCountYear.objects.filter(year=year).values_list("generation", "fresh").get()
    live = live_counts(year)
    with transaction.atomic():
        state = CaseCountYear.objects.select_for_update().filter(year=year, generation=generation).first()
        if state is None:  # a writer moved the year since it was read: the count may miss its change
            return Rebuilt(False, {}, live)
        drift = _replace(year, live)
        state.fresh, state.built_at = True, timezone.now()
        state.save(update_fields=["fresh", "built_at"])
    if not was_fresh:
        drift = {}  # a stale year's rows were not expected to be right
    if drift and log_drift:
        logger.warning(
            "%s年已采用案例数与案例不符，已按案例重建：%s 处（单位、季度：保存的/实际的）%s",
            year,
            len(drift),
            sorted(drift.items())[:20],
        )
    return Rebuilt(True, drift, live)


def _replace(year, live):
    """Make the year's rows hold `live` (rewritten whole: a fixed number of statements); returns what differed,
    {(unit id, quarter): (stored, counted)}."""
    stored = stored_counts(year)
    drift = {key: (stored.get(key, 0), live.get(key, 0)) for key in stored.keys() | live.keys()}
    CaseCount.objects.filter(year=year).delete()
    CaseCount.objects.bulk_create(
        [CaseCount(unit_id=u, year=year, quarter=q, count=n) for (u, q), n in live.items() if n], batch_size=CHUNK
    )
    return {key: change for key, change in drift.items() if change[0] != change[1]}


def years():
    """Every year with cases or stored counts (what the nightly job rebuilds)."""
    found = set(Case.objects.order_by().values_list("year", flat=True).distinct())
    found |= set(CaseCountYear.objects.values_list("year", flat=True))
    return sorted(found)


def rebuild_all(*, log_drift=False):
    """Rebuild every year (nightly; load_demo at its end). Returns {year: Rebuilt}."""
    return {year: rebuild(year, log_drift=log_drift) for year in years()}
