"""Many cells at once (bulk set, Excel import, API batches) in a fixed number of queries.

`services.bulk_set_marks` is the entry point; this module holds the mechanics. The rules are the
ones `Mark.save()` enforces through `full_clean` (vocabulary and derived columns through
`Indicator.parse`/`check_value`, the year lock, enrolment), checked once per batch where they are
per batch (the year lock per year, enrolment in one query) and per cell where they are per cell.
The history rows are the ones simple_history writes on save — same columns, reason, user and batch —
inserted straight from the updated rows, so history and undo cannot tell the two paths apart.
"""

from collections import Counter, defaultdict

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.utils import timezone

from assessment import stored_tallies
from assessment.models import Mark, SchemeUnit, check_year_open
from assessment.scoring.stored import invalidate


def _refusal(mark, exc):
    from core.errors import DomainError, validation_text

    message = exc if isinstance(exc, str) else validation_text(exc)
    return DomainError(f"{mark.unit} · {mark.indicator.title}：{message}")


def _rounds(changes):
    """Split changes so that a cell occurs at most once per round (a cell set twice keeps both steps)."""
    seen, rounds = Counter(), []
    for change in changes:
        index = seen[change[0].pk]
        seen[change[0].pk] += 1
        if index == len(rounds):
            rounds.append([])
        rounds[index].append(change)
    return rounds


def _locked(pks):
    # of=self: PostgreSQL cannot lock the nullable side of the outer join to updated_by.
    rows = (
        Mark.objects.select_for_update(of=("self",))
        .select_related("unit", "indicator__scheme", "updated_by")
        .filter(pk__in=pks)
    )
    return {m.pk: m for m in rows}


def _validate(changes, current):
    """([cell to write, in order], {(scheme id, unit id): scheme unit id} of theirs); raises DomainError at the
    first refused cell."""
    from assessment.marks.services import StaleMark

    plan, years, enrolled = [], {}, {}
    for mark, text, expected in changes:
        if mark.pk not in current:
            raise Mark.DoesNotExist("Mark matching query does not exist.")
        cell = current[mark.pk]
        if expected is not None and cell.version != int(expected):
            stale = StaleMark(cell)
            raise _refusal(cell, str(stale)) from stale
        try:
            state, count = cell.indicator.parse(text)
        except ValidationError as exc:
            raise _refusal(cell, exc) from exc
        if (cell.state, cell.count) == (state, count):
            continue
        year = cell.indicator.scheme.year
        if year not in years:
            try:
                check_year_open(year)
                years[year] = None
            except ValidationError as exc:
                years[year] = exc
        if years[year] is not None:
            raise _refusal(cell, years[year])
        cell.state, cell.count = state, count
        try:
            cell.clean_fields(exclude=["unit", "indicator", "updated_by"])
        except ValidationError as exc:
            raise _refusal(cell, exc) from exc
        plan.append(cell)
    if plan:
        rows = SchemeUnit.objects.filter(
            scheme_id__in={c.indicator.scheme_id for c in plan}, unit_id__in={c.unit_id for c in plan}
        )
        enrolled = {(s, u): pk for s, u, pk in rows.values_list("scheme_id", "unit_id", "pk")}
        for cell in plan:
            if (cell.indicator.scheme_id, cell.unit_id) not in enrolled:
                raise _refusal(cell, f"“{cell.unit}”不在{cell.indicator.scheme}的参评单位中。")
    return plan, enrolled


def _write(cells, user, how, batch):
    """One UPDATE per distinct new value, one INSERT … SELECT for the history of all of them."""
    now = timezone.now()
    by_value = defaultdict(list)
    for cell in cells:
        by_value[(cell.state, cell.count)].append(cell.pk)
        cell.version += 1
        cell.updated_by, cell.updated_at = user, now
    for (state, count), pks in by_value.items():
        Mark.objects.filter(pk__in=pks).update(
            state=state, count=count, version=F("version") + 1, updated_by=user, updated_at=now
        )
    invalidate(unit_ids={cell.unit_id for cell in cells})  # an UPDATE sends no signal to scoring.stored
    history = Mark.history.model
    quote = connection.ops.quote_name
    tracked = [f.column for f in history.tracked_fields]
    extra = {"history_date": now, "history_change_reason": how, "history_type": "~"}
    extra["history_user_id"] = user.pk if user is not None else None
    extra["batch_id"] = batch.pk if batch is not None else None
    columns = ", ".join(quote(c) for c in [*tracked, *extra])
    pks = [cell.pk for cell in cells]
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({columns}) "
        f"SELECT {', '.join(quote(c) for c in tracked)}, {', '.join(['%s'] * len(extra))} "
        f"FROM {quote(Mark._meta.db_table)} WHERE {quote('id')} IN ({', '.join(['%s'] * len(pks))}) "
        # The entries in the order of the changes, as saving cell after cell numbers them.
        f"ORDER BY CASE {quote('id')} {' '.join(['WHEN %s THEN %s'] * len(pks))} END"
    )
    order = [v for index, pk in enumerate(pks) for v in (pk, index)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*[_db(v) for v in extra.values()], *pks, *order])


def _db(value):
    if hasattr(value, "tzinfo"):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def apply(changes, user, *, how, batch):
    """Validate and write `changes` (all or nothing, inside the caller's transaction); the number changed."""
    changed = 0
    for round_changes in _rounds(changes):
        current = _locked([mark.pk for mark, _, _ in round_changes])
        before = {pk: (cell.state, cell.count) for pk, cell in current.items()}  # read under lock
        cells, enrolled = _validate(round_changes, current)
        if cells:
            _write(cells, user, how, batch)
            # An UPDATE sends no signal: the stored tallies take the old and new values here, one statement
            # per table and sign whatever the number of cells (every cell enrolled: `_validate`).
            stored_tallies.apply_cells(
                [(c.indicator, c.unit_id, *before[c.pk], -1) for c in cells]
                + [(c.indicator, c.unit_id, c.state, c.count, 1) for c in cells],
                enrolled=enrolled,
            )
        changed += len(cells)
    return changed
