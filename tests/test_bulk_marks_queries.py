"""A batch of cells (bulk set, import, API) costs the same number of queries for 10 cells as for 800."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.marks.services import HOW, bulk_set_marks, undo_batch
from assessment.models import Mark, MarkState

from .factories import multiply_units

pytestmark = pytest.mark.django_db


def _done_cells(count, exclude=()):
    cells = [
        m
        for m in Mark.objects.filter(state=MarkState.DONE, indicator__scheme__year=2019)
        .exclude(pk__in=exclude)
        .select_related("indicator", "unit")
        .order_by("pk")
        if MarkState.PENDING in m.indicator.allowed_states
    ]
    assert len(cells) >= count
    return cells[:count]


def _queries(cells, user):
    with CaptureQueriesContext(connection) as ctx:
        batch = bulk_set_marks([(m, "*", m.version) for m in cells], user, how=HOW.IMPORT, description="测试")
    return len(ctx.captured_queries), batch


def test_the_query_count_does_not_grow_with_the_cells(staff_user):
    multiply_units(6)
    few = _done_cells(10)
    many = _done_cells(800, exclude=[m.pk for m in few])
    few_queries, few_batch = _queries(few, staff_user)
    many_queries, many_batch = _queries(many, staff_user)
    assert few_queries == many_queries
    # … and the stored tallies (assessment.stored_tallies): the schemes' bump, one statement per table and sign
    assert many_queries <= 12 + 1 + 4
    # Every cell changed, with its history entry in the batch, undoable as before.
    assert many_batch.entries.count() == 800
    assert set(many_batch.entries.values_list("history_change_reason", "history_user", "state")) == {
        (HOW.IMPORT, staff_user.pk, "*")
    }
    assert Mark.objects.filter(pk__in=[m.pk for m in many], state="*", version=2).count() == 800
    undo_batch(few_batch, staff_user)
    assert Mark.objects.filter(pk__in=[m.pk for m in few], state=MarkState.DONE, version=3).count() == 10
