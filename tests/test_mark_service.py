"""set_mark: the one way a cell changes, with concurrency check and history."""

import pytest

from assessment.marks.services import HOW, StaleMark, set_mark
from assessment.models import Mark
from core.errors import DomainError


@pytest.fixture
def mark(db):
    return Mark.objects.get(unit__name="财政局", indicator__order=2, indicator__scheme__category__slug="departments")


def test_set_mark_saves_bumps_version_and_keeps_history(mark, staff_user):
    assert mark.state == "*"
    saved = set_mark(mark, "√", staff_user, expected_version=mark.version)
    assert (saved.state, saved.version, saved.updated_by) == ("√", 2, staff_user)
    entry = saved.history.first()
    assert entry.state == "√" and entry.history_user == staff_user and entry.history_change_reason == HOW.GRID
    assert entry.prev_record.state == "*"


def test_stale_version_is_refused_with_who_and_what(mark, staff_user, leader_user):
    set_mark(mark, "√", leader_user, expected_version=1)
    with pytest.raises(StaleMark) as err:
        set_mark(mark, "非考核项", staff_user, expected_version=1)
    assert "√" in str(err.value) and "t_leader" in str(err.value)
    mark.refresh_from_db()
    assert mark.state == "√"


def test_value_outside_the_column_is_refused_and_nothing_written(mark, staff_user):
    with pytest.raises(DomainError, match="不是"):
        set_mark(mark, "无", staff_user)
    with pytest.raises(DomainError, match="不能填数量"):
        set_mark(mark, "3", staff_user)
    mark.refresh_from_db()
    assert (mark.state, mark.version, mark.history.count()) == ("*", 1, 1)


def test_unchanged_value_writes_nothing(mark, staff_user):
    set_mark(mark, "*", staff_user)
    mark.refresh_from_db()
    assert mark.version == 1 and mark.history.count() == 1


def _cells(unit_names, order=2):
    return list(
        Mark.objects.filter(
            unit__name__in=unit_names, indicator__order=order, indicator__scheme__category__slug="departments"
        ).select_related("unit", "indicator")
    )


def test_bulk_set_is_one_undoable_batch(staff_user, leader_user):
    from assessment.marks.services import bulk_set_marks, undo_batch

    cells = _cells(["财政局", "烟草专卖局"])  # both * in the printed issue
    batch = bulk_set_marks([(m, "√", m.version) for m in cells], staff_user, description="第2列")
    assert batch.entries.count() == 2
    assert {m.state for m in _cells(["财政局", "烟草专卖局"])} == {"√"}
    undo = undo_batch(batch, staff_user)
    assert undo.undo_of == batch and undo.entries.count() == 2
    assert {m.state for m in _cells(["财政局", "烟草专卖局"])} == {"*"}
    with pytest.raises(DomainError, match="已经撤销"):
        undo_batch(batch, staff_user)


def test_bulk_set_is_all_or_nothing(staff_user):
    from assessment.marks.services import bulk_set_marks

    good, bad = _cells(["财政局"])[0], _cells(["发改委"], order=10)[0]
    with pytest.raises(DomainError, match="发改委"):
        bulk_set_marks([(good, "√", None), (bad, "√", None)], staff_user)
    good.refresh_from_db()
    assert good.state == "*" and good.version == 1


def test_undo_refused_when_a_cell_changed_since(staff_user):
    from assessment.marks.services import bulk_set_marks, undo_batch

    cell = _cells(["财政局"])[0]
    batch = bulk_set_marks([(cell, "√", None)], staff_user)
    set_mark(cell, "非考核项", staff_user)
    with pytest.raises(DomainError, match="又被改过"):
        undo_batch(batch, staff_user)
    cell.refresh_from_db()
    assert cell.state == "非考核项"
