"""The year page's table (assessment.marks.grid.year_progress): each scheme's enrolled units and columns as the
rows say, whatever reads them."""

import contextlib
import random

import pytest
from django.contrib.auth.models import Group
from django.db.models import Count

from assessment import access
from assessment.marks import history
from assessment.marks.grid import year_progress
from assessment.marks.services import bulk_set_marks, set_mark, start_new_year, undo_batch
from assessment.models import ChangeBatch, Mark, Scheme, SchemeUnit
from core.errors import DomainError

from .factories import UserFactory, multiply_units

pytestmark = pytest.mark.django_db


def test_each_scheme_counts_its_enrolled_units_and_its_columns():
    multiply_units(2)
    offices = Scheme.objects.get(year=2019, category__slug="offices")
    SchemeUnit.objects.filter(scheme=offices).delete()  # a table without units
    progress = year_progress(2019)
    schemes = Scheme.objects.filter(year=2019).order_by("category__order", "pk")
    assert [p.scheme.pk for p in progress] == [s.pk for s in schemes]
    for p in progress:
        assert p.scheme.unit_count == SchemeUnit.objects.filter(scheme=p.scheme).count()
        assert p.scheme.indicator_count == p.scheme.indicators.count()
    assert [p.scheme.unit_count for p in progress if p.scheme.pk == offices.pk] == [0]
    assert year_progress(2031) == []


def _typed_marks(year):
    """The marks of the year's typed columns that can take more than one word."""
    marks = Mark.objects.filter(indicator__scheme__year=year, indicator__accepts_count=False)
    return [m for m in marks.select_related("indicator").order_by("pk") if len(m.indicator.allowed_states) > 1]


def _change_rows(changes):
    return [
        (
            c.entry.history_id,
            c.old,
            c.new,
            c.who,
            c.how,
            c.when,
            c.batch and (c.batch.pk, c.batch.how),
            c.unit.name,
            c.indicator.title,
        )
        for c in changes
    ]


def _recent_batches(limit, **entry_filters):
    """The batches with entries matching `entry_filters`, newest first, as the ORM reads them: what the written-out
    lists of the year page and the grid (history.year_batches, scheme_batches) must give."""
    filters = {f"entries__{key}": value for key, value in entry_filters.items()}
    return list(
        ChangeBatch.objects.filter(**filters)
        .annotate(cells=Count("entries"))
        .select_related("created_by", "undone_by")
        .order_by("-created_at", "-pk")[:limit]
    )


def _batch_rows(batches):
    return [
        (b.pk, b.cells, b.how, b.description, b.created_at, b.created_by, b.undone_at, b.undone_by, b.undo_of)
        for b in batches
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_year_lists_are_those_of_the_general_queries(staff_user, seed):
    """The year page's changes and batches (read by written-out queries) are those the ORM's lists give (a unit
    page's `marks_changes`, the ORM's batches), after random saves, batches and undos in two years."""
    rng = random.Random(seed)
    other_staff = UserFactory(username="t_staff2", first_name="", last_name="")  # shown by the account name
    other_staff.groups.add(Group.objects.get(name=access.STAFF_GROUP))
    start_new_year(2019, staff_user)
    for year in (2019, 2020):
        assert history.year_changes(year) == [] and history.year_batches(year) == []
    marks = {year: _typed_marks(year) for year in (2019, 2020)}
    batches = []
    for _ in range(40):
        year = rng.choice((2019, 2020))
        user = rng.choice((staff_user, other_staff))
        mark = rng.choice(marks[year])
        mark.refresh_from_db()
        words = [w for w in mark.indicator.allowed_states if w != mark.state]
        if rng.random() < 0.6:
            set_mark(mark, rng.choice(words), user)
        else:
            chosen = rng.sample(marks[year], 3)
            for m in chosen:
                m.refresh_from_db()
            changes = [(m, rng.choice(m.indicator.allowed_states), None) for m in chosen]
            batch = bulk_set_marks(changes, user, description=f"第{len(batches)}批")
            if batch is not None:
                batches.append(batch)
        if batches and rng.random() < 0.15:
            with contextlib.suppress(DomainError):  # a cell changed since: refused, as on the page
                undo_batch(batches.pop(rng.randrange(len(batches))), user)
    for year in (2019, 2020):
        for limit in (1, 5, 30, 100):
            every, _ = history.marks_changes(marks[year], limit=10_000)
            general = [c for c in every if c.entry.history_type == "~"][:limit]
            assert _change_rows(history.year_changes(year, limit)) == _change_rows(general)
            expected = _recent_batches(limit, indicator__scheme__year=year)
            assert _batch_rows(history.year_batches(year, limit)) == _batch_rows(expected)
            for scheme in Scheme.objects.filter(year=year):
                expected = _recent_batches(limit, indicator__scheme=scheme)
                assert _batch_rows(history.scheme_batches(scheme.pk, limit)) == _batch_rows(expected)
        assert len(history.year_changes(year, 100)) > 5 and len(history.year_batches(year, 100)) > 2


def test_whether_the_stored_tallies_are_current_is_asked_once_and_used_by_both_counts(monkeypatch):
    from assessment import stored_tallies
    from assessment.marks import grid

    asked = []
    real = stored_tallies.ensure_current

    def spy(ids):
        asked.append(sorted(ids))
        return real(ids)

    # wherever it is asked from: the year page's own call and the counts' (assessment.tallies reads the module's)
    monkeypatch.setattr(grid, "ensure_current", spy)
    monkeypatch.setattr(stored_tallies, "ensure_current", spy)
    schemes = sorted(Scheme.objects.filter(year=2019).values_list("pk", flat=True))
    stored_tallies.invalidate(schemes)  # stale: counted again on this read
    progress = year_progress(2019)
    assert asked == [schemes]
    assert [p.units_pending for p in progress] == [p.units_pending for p in year_progress(2019)]
    assert sum(p.units_pending for p in progress) > 0
