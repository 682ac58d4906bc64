"""The stored tallies (assessment.stored_tallies) stay equal to the live count after every writer.

The year page, the grid's summary row and its 未完成 filter read the stored rows, so each path that changes a
mark or an enrolment — a grid save, bulk set, import, API batch, undo, a unit joining, moving or leaving, a
column added or removed — must keep them true in its own transaction (the scheme stays current, not
rebuilt), and a writer that bypasses signals (the new year) must leave the scheme stale, counted again on read.
"""

import logging
import random

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import stored_tallies, tallies
from assessment.directory import enrolment
from assessment.directory.indicators import create_indicator, remove_indicator
from assessment.directory.units import create_unit
from assessment.grid_rows import grid_selection
from assessment.marks.grid import year_progress
from assessment.marks.services import bulk_set_marks, set_mark, undo_batch
from assessment.models import Category, ColumnTally, Indicator, Mark, MarkState, Scheme, SchemeTally, SchemeUnit, Unit
from assessment.tables import schemes_with_parts

from .test_grid_bulk import BULK, column, confirm_page, confirmed_form
from .test_import_marks import _download, _edit, _session, _set, _upload

pytestmark = pytest.mark.django_db


def _year_ids(year=2019):
    return list(Scheme.objects.filter(year=year).order_by("pk").values_list("pk", flat=True))


@pytest.fixture(autouse=True)
def built(db):
    """The 2019 tallies counted once, as the first read of the year page does."""
    assert stored_tallies.ensure_current(_year_ids())


def _kept_true(year=2019):
    """The stored rows equal the live count, and were kept so (the scheme is current, not counted again)."""
    ids = _year_ids(year)
    assert not SchemeTally.objects.filter(pk__in=ids, built_at__isnull=True).exists()
    assert stored_tallies.stored_counts(ids) == stored_tallies.live_counts(ids)


def _mark(unit, order, category="departments"):
    return Mark.objects.get(unit__name=unit, indicator__order=order, indicator__scheme__category__slug=category)


def _another(mark):
    """A value the cell's column allows that the cell does not hold."""
    return next(s for s in mark.indicator.allowed_states if s != mark.display)


def test_a_save_through_the_grid(role_client):
    mark = _mark("财政局", 2)
    response = role_client("staff").post(f"/assessment/marks/{mark.pk}/", {"value": "√", "version": mark.version})
    assert response.status_code == 200
    _kept_true()


def test_a_bulk_set_through_the_grids_form(role_client):
    client = role_client("staff")
    client.post(BULK, confirmed_form(confirm_page(client, column(2), "√")))
    assert set(Mark.objects.filter(indicator=column(2)).values_list("state", flat=True)) == {"√"}
    _kept_true()


def test_an_import(role_client):
    staff = role_client("staff")
    content = _edit(
        _download(staff), lambda wb: (_set("部门", "财政局", 3, "√")(wb), _set("区镇", "昆山开发区", 6, "已说明")(wb))
    )
    session = _session(_upload(staff, content))
    assert staff.post(f"/assessment/import/{session.token}/confirm/").status_code == 302
    assert _mark("财政局", 2).state == "√"
    _kept_true()


def test_an_api_batch_and_its_undo(api_client, staff_user):
    cells = [_mark("财政局", 2), _mark("统计局", 2), _mark("财政局", 3)]
    changes = [{"id": m.pk, "value": _another(m), "version": m.version} for m in cells]
    response = api_client("staff").post(
        "/api/v1/marks/batch/", {"description": "接口", "changes": changes}, format="json"
    )
    assert response.status_code in (200, 201), response.content
    _kept_true()
    from assessment.models import ChangeBatch

    undo_batch(ChangeBatch.objects.latest("pk"), staff_user)
    _kept_true()


def test_a_cell_set_twice_in_one_batch(staff_user):
    mark = _mark("财政局", 2)
    second = next(s for s in mark.indicator.allowed_states if s not in (mark.display, "√"))
    bulk_set_marks([(mark, "√", None), (mark, second, None), (_mark("统计局", 2), "√", None)], staff_user)
    _kept_true()


def test_a_unit_joins_moves_and_leaves(role_client, staff_user):
    office = role_client("staff")
    newcomer = create_unit(
        Unit(name="数据局", full_name="市数据局", category=Category.objects.get(slug="departments"), order=99),
        staff_user,
    )
    assert office.post("/office/schemes/2019/departments/join/", {"unit": newcomer.pk}).status_code == 302
    _kept_true()
    row = SchemeUnit.objects.get(unit=newcomer, scheme__year=2019)
    office.post(f"/office/scheme-units/{row.pk}/move/", {"step": "up"})
    _kept_true()
    assert office.post(f"/office/scheme-units/{row.pk}/remove/").status_code == 302
    assert not SchemeUnit.objects.filter(pk=row.pk).exists()
    _kept_true()


def test_an_enrolment_moved_to_another_unit_or_deleted_with_its_marks_kept(staff_user):
    """The admin's repairs: a row given to another unit, a row deleted whose marks stay (no longer cells)."""
    row = SchemeUnit.objects.filter(scheme__year=2019, scheme__category__slug="departments").first()
    spare = Unit.objects.create(name="备用单位", category=row.scheme.category, order=98)
    row.unit = spare
    row.save()
    _kept_true()
    SchemeUnit.objects.filter(pk=row.pk).delete()
    _kept_true()


def test_a_column_added_then_removed(staff_user):
    scheme = Scheme.objects.get(year=2019, category__slug="departments")
    indicator = Indicator(
        scheme=scheme, title="新指标", points="0.5", points_label="(0.5分)", rule_kind="lose",
        allowed_states=["√", "*"],
    )  # fmt: skip
    create_indicator(indicator, staff_user)
    _kept_true()
    assert ColumnTally.objects.get(indicator=indicator, value=MarkState.PENDING).cells == scheme.scheme_units.count()
    remove_indicator(indicator, staff_user)
    _kept_true()


def test_a_column_made_derived_is_counted_again(staff_user):
    indicator = column(2)
    Mark.objects.filter(indicator=indicator).update(state="", count=1)  # as the admin would have to
    stored_tallies.invalidate([indicator.scheme_id])
    indicator.accepts_count = True
    indicator.allowed_states = []
    indicator.save()
    assert SchemeTally.objects.get(pk=indicator.scheme_id).built_at is None
    assert stored_tallies.ensure_current(_year_ids())
    _kept_true()


def test_the_new_year_is_stale_until_read_then_true(role_client):
    assert role_client("staff").post("/assessment/2019/new-year/").status_code == 302
    ids = _year_ids(2020)
    assert ids and set(SchemeTally.objects.filter(pk__in=ids).values_list("built_at", flat=True)) == {None}
    progress = year_progress(2020)
    assert sum(p.units_pending for p in progress) == SchemeUnit.objects.filter(scheme__year=2020).count()
    _kept_true(2020)
    _kept_true(2019)


def test_a_write_during_a_count_is_not_lost(monkeypatch, staff_user):
    """A rebuild that counted before a writer's change does not store its counts over the writer's."""
    scheme_id = Scheme.objects.get(year=2019, category__slug="departments").pk
    stored_tallies.invalidate([scheme_id])
    counted = stored_tallies.live_counts

    def count_then_write(ids):
        found = counted(ids)
        set_mark(_mark("财政局", 2), "√", staff_user)  # committed after the count was made
        return found

    monkeypatch.setattr(stored_tallies, "live_counts", count_then_write)
    assert stored_tallies.refresh([scheme_id]) == []
    assert SchemeTally.objects.get(pk=scheme_id).built_at is None
    monkeypatch.undo()
    assert stored_tallies.ensure_current([scheme_id])
    _kept_true()


def test_the_nightly_job_finds_and_mends_drift(caplog):
    row = ColumnTally.objects.filter(cells__gt=0).first()
    ColumnTally.objects.filter(pk=row.pk).update(cells=row.cells + 5)
    with caplog.at_level(logging.WARNING, logger="assessment.stored_tallies"):
        call_command("rebuild_tallies")
    assert "不符" in caplog.text
    _kept_true()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="assessment.stored_tallies"):
        call_command("rebuild_tallies")
    assert "不符" not in caplog.text


def test_the_year_page_groups_no_marks(role_client):
    with CaptureQueriesContext(connection) as queries:
        assert role_client("staff").get("/assessment/2019/").status_code == 200
    grouped = [q["sql"] for q in queries if 'FROM "assessment_mark"' in q["sql"] and "GROUP BY" in q["sql"]]
    assert grouped == []


def test_the_grids_pending_filter_reads_the_stored_units(staff_user):
    scheme = schemes_with_parts(units=False).get(year=2019, category__slug="departments")
    kept = grid_selection(scheme, pending_only=True)
    live = {u for u, _ in tallies.pending_cells([scheme])}
    assert {row[1] for row in kept.rows} == live
    set_mark(_mark("财政局", 2), "√", staff_user)
    scheme = schemes_with_parts(units=False).get(pk=scheme.pk)
    assert {row[1] for row in grid_selection(scheme, pending_only=True).rows} == {
        u for u, _ in tallies.pending_cells([scheme])
    }


@pytest.mark.parametrize("seed", range(3))
def test_random_writers_keep_them_true(seed, staff_user):
    rng = random.Random(seed)
    marks = list(Mark.objects.filter(indicator__scheme__year=2019).select_related("indicator", "unit"))
    typed = [m for m in marks if not m.indicator.accepts_count]
    for _ in range(40):
        what = rng.random()
        if what < 0.4:
            mark = rng.choice(typed)
            mark.refresh_from_db()
            set_mark(mark, rng.choice(mark.indicator.allowed_states), staff_user)
        elif what < 0.7:
            chosen = rng.sample(typed, 6)
            changes = [(m, rng.choice(m.indicator.allowed_states), None) for m in chosen]
            bulk_set_marks(changes, staff_user)
        elif what < 0.8:
            mark = rng.choice(typed)
            typed.remove(mark)
            Mark.objects.filter(pk=mark.pk).delete()
        elif what < 0.9:
            row = SchemeUnit.objects.filter(scheme__year=2019).order_by("?").first()
            scheme, unit = row.scheme, row.unit
            SchemeUnit.objects.filter(pk=row.pk).delete()  # its marks stay: no longer cells
            SchemeUnit.objects.create(scheme=scheme, unit=unit, order=500)  # back: they count again
        else:
            scheme = Scheme.objects.filter(year=2019).order_by("?").first()
            unit = Unit.objects.create(name=f"新单位{rng.randint(0, 10**6)}", category=scheme.category, order=900)
            enrolment.enrol(unit, 2019, staff_user)
    _kept_true()
