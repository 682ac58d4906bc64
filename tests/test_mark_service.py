"""set_mark: the one way a cell changes, with concurrency check and history."""

import pytest

from assessment.models import Mark
from assessment.services import HOW, DomainError, StaleMark, set_mark


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
