"""The stored accepted-case counts (cases.stored_counts) always equal a count of the cases.

After every writer — the review steps through the pages and the services, a case moved to another quarter or
unit, a deletion, an offline record, a bulk update that marks its year stale — the stored rows equal the cases
counted afresh, and cases.counts returns exactly what counting the cases and records gives.
"""

import datetime
import io
import logging
import random
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from assessment.models import Unit
from cases import services, stored_counts
from cases.count_records import add_count_record, delete_count_record
from cases.counts import CaseCounts, quarterly_counts, year_counts
from cases.models import Case, CaseCount, CaseCountRecord, CaseCountYear, CaseStatus

from .factories import CaseFactory

YEAR = 2019


def counted_afresh(year=YEAR):
    """What cases.counts.quarterly_counts returned before the counts were stored: cases and records counted."""
    result = defaultdict(lambda: defaultdict(int))
    cases = (
        Case.objects.filter(year=year, status=CaseStatus.ACCEPTED, source_unit__isnull=False)
        .values("source_unit_id", "quarter")
        .annotate(n=Count("pk"))
    )
    for row in cases:
        result[row["source_unit_id"]][row["quarter"]] += row["n"]
    records = (
        CaseCountRecord.objects.filter(year=year)
        .values("unit_id", "first_quarter", "last_quarter")
        .annotate(n=Sum("count"))
    )
    for row in records:
        first, last = row["first_quarter"], row["last_quarter"]
        result[row["unit_id"]][first if first == last else (first, last)] += row["n"]
    return {unit_id: dict(by_quarter) for unit_id, by_quarter in result.items()}


def numbers_joined(year=YEAR):
    """{unit id: number} as the derived columns join them in the database (CaseCounts.number_sql, by unit)."""
    sql, params = CaseCounts().number_sql(year)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    assert len(rows) == len({unit_id for unit_id, _ in rows})  # one row a unit
    return {unit_id: int(n) for unit_id, n in rows if n}


def assert_true(year=YEAR):
    """The stored rows are the cases' count (when the year is fresh), and the readers return the counts."""
    if stored_counts.is_fresh(year):
        assert stored_counts.stored_counts(year) == stored_counts.live_counts(year)
    expected = counted_afresh(year)
    assert quarterly_counts(year) == expected
    assert year_counts(year) == {unit_id: sum(q.values()) for unit_id, q in expected.items()}
    assert numbers_joined(year) == {unit_id: sum(q.values()) for unit_id, q in expected.items()}
    # A read leaves the year fresh and stored as counted.
    assert stored_counts.is_fresh(year)
    assert stored_counts.stored_counts(year) == stored_counts.live_counts(year)


def stored(unit, quarter, year=YEAR):
    return stored_counts.stored_counts(year).get((unit.pk, quarter), 0)


@pytest.fixture
def units(db):
    return [Unit.objects.get(name=name) for name in ("发改委", "行政审批局", "住建局")]


def test_the_demo_is_stored_fresh(db):
    assert stored_counts.is_fresh(YEAR)
    assert_true()


def test_every_review_step_through_the_pages(role_client, reporter_user, units):
    fgw = units[0]
    before = stored(fgw, 3)
    reporter = role_client("reporter")
    data = {
        "kind": "reward",
        "title": "信用承诺 助企纾困",
        "subject": "昆山某汽车有限公司",
        "measure": "容缺受理。",
        "event_date": "2019-08-20",
        "quarter": "",
        "body": "第一段。",
        "action": "submit",
    }
    assert reporter.post("/cases/new/", data).status_code == 302
    case = Case.objects.get(title="信用承诺 助企纾困")
    assert case.status == CaseStatus.SUBMITTED and stored(fgw, 3) == before
    assert_true()
    staff = role_client("staff")
    staff.post(f"/cases/case/{case.pk}/return/", {"reason": "请补充材料"})
    assert_true()
    reporter = role_client("reporter")
    reporter.post(f"/cases/case/{case.pk}/submit/")
    reporter.post(f"/cases/case/{case.pk}/withdraw/")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.WITHDRAWN and stored(fgw, 3) == before
    reporter.post(f"/cases/case/{case.pk}/submit/")
    assert_true()
    staff = role_client("staff")
    staff.post(f"/cases/case/{case.pk}/accept/")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED
    assert stored(fgw, 3) == before + 1
    assert_true()
    # The office moves the accepted case to the fourth quarter: it counts there, not in the third.
    q4 = stored(fgw, 4)
    moved = {**data, "event_date": "2019-11-02", "action": "save", "source_unit": fgw.pk, "channel": "portal"}
    response = staff.post(f"/cases/case/{case.pk}/edit/", moved)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert (stored(fgw, 3), stored(fgw, 4)) == (before, q4 + 1)
    assert_true()


def test_every_service_step(staff_user, reporter_user, units):
    fgw, spj, _ = units
    case = services.create_case(
        reporter_user,
        {"kind": "penalty", "title": "失信惩戒", "body": "正文。", "event_date": datetime.date(2019, 5, 6)},
        submit=True,
    )
    assert_true()
    services.accept_case(case, staff_user)
    assert stored(fgw, 2) >= 1
    assert_true()
    # Moved to another unit and quarter by the office.
    services.update_case(case, staff_user, {"source_unit": spj, "quarter": 1, "source_label": ""})
    assert Case.objects.get(pk=case.pk).source_unit == spj
    assert_true()
    services.set_for_bulletin(case, staff_user)
    assert_true()
    # Returned and withdrawn cases do not count.
    data = {"kind": "reward", "title": "诚信经营", "body": "正文。", "event_date": datetime.date(2019, 4, 1)}
    other = services.create_case(reporter_user, data, submit=True)
    services.return_case(other, staff_user, "请补充")
    assert_true()
    services.update_case(other, reporter_user, {"quarter": 3}, submit=True)
    assert Case.objects.get(pk=other.pk).status == CaseStatus.RESUBMITTED
    services.review_cases([other], staff_user, "accept")
    assert_true()
    # Deleted (the admin; a repair): its count goes.
    Case.objects.get(pk=case.pk).delete()
    Case.objects.filter(pk=other.pk).delete()
    assert_true()


def test_an_offline_record_counts_beside_the_stored_cases(staff_user, units):
    fgw = units[0]
    record = add_count_record(
        staff_user, unit=fgw, year=YEAR, date=datetime.date(2019, 6, 30), count=4, note="邮件报送", quarters=(1, 2)
    )
    assert quarterly_counts(YEAR)[fgw.pk][(1, 2)] >= 4
    assert_true()
    delete_count_record(record, staff_user)
    assert_true()


def test_a_bulk_writer_marks_the_year_stale_and_the_next_read_rebuilds_it(units):
    fgw = units[0]
    made = Case.objects.bulk_create(
        Case(kind="reward", title=f"批量{i}", body="正文", source_unit=fgw, source_label="x", year=YEAR, quarter=2)
        for i in range(5)
    )
    Case.objects.filter(pk__in=[c.pk for c in made]).update(status=CaseStatus.ACCEPTED)
    stored_counts.invalidate([YEAR])
    assert not stored_counts.is_fresh(YEAR)
    assert quarterly_counts(YEAR)[fgw.pk][2] == counted_afresh()[fgw.pk][2] >= 5
    assert_true()


def test_a_rebuild_does_not_store_a_count_a_writer_changed_meanwhile(monkeypatch, staff_user, units):
    """A case accepted while the year is counted: the rebuild's count missed it, so it is not stored."""
    fgw = units[0]
    stored_counts.invalidate([YEAR])
    waiting = CaseFactory(source_unit=fgw, source_label="发改委", year=YEAR, quarter=1, status=CaseStatus.SUBMITTED)
    counting = stored_counts.live_counts

    def count_then_accept(year):
        counted = counting(year)
        services.accept_case(waiting, staff_user)  # committed after the count was taken
        return counted

    monkeypatch.setattr(stored_counts, "live_counts", count_then_accept)
    result = stored_counts.rebuild(YEAR)
    monkeypatch.undo()
    assert not result.stored and not stored_counts.is_fresh(YEAR)
    assert_true()  # the next read counts the accepted case


def test_the_derived_columns_count_the_cases_while_a_writer_keeps_the_year_stale(monkeypatch, staff_user, units):
    """The 奖惩案例 column asked of the database (assessment.derived_columns) on a stale year whose rebuild a
    writer overtakes: the rows stay stale (one case accepted by a bulk UPDATE is not in them), so the numbers are
    the cases counted, both accepted ones included."""
    bulk = CaseFactory(source_unit=units[1], source_label="x", year=YEAR, quarter=2, status=CaseStatus.SUBMITTED)
    Case.objects.filter(pk=bulk.pk).update(status=CaseStatus.ACCEPTED)
    stored_counts.invalidate([YEAR])
    waiting = CaseFactory(
        source_unit=units[0], source_label="发改委", year=YEAR, quarter=1, status=CaseStatus.SUBMITTED
    )
    counting = stored_counts.live_counts

    def count_then_accept(year):
        counted = counting(year)
        services.accept_case(waiting, staff_user)
        return counted

    monkeypatch.setattr(stored_counts, "live_counts", count_then_accept)
    numbers = numbers_joined()
    monkeypatch.undo()
    assert not stored_counts.is_fresh(YEAR)
    assert numbers == {unit_id: sum(q.values()) for unit_id, q in counted_afresh().items()}
    # … which the stale rows are not: read from them, the numbers would miss the bulk-accepted case
    assert stored_counts.stored_counts(YEAR) != stored_counts.live_counts(YEAR)


def test_a_restored_or_fixture_row_marks_its_year_stale(units):
    """A raw save (loaddata, restore) sends the signal with raw=True: the year is counted afresh."""
    case = Case(kind="reward", title="恢复", body="正文", source_unit=units[0], source_label="x", year=YEAR, quarter=1)
    case.status, case.created_at, case.updated_at = CaseStatus.ACCEPTED, timezone.now(), timezone.now()
    case.save_base(raw=True)
    assert not stored_counts.is_fresh(YEAR)
    assert_true()


def test_random_operations_keep_the_counts(staff_user, units):
    rng = random.Random(25)
    cases, done = [], defaultdict(int)
    for step in range(120):
        op = rng.choice(["new", "new", "submit", "accept", "accept", "return", "withdraw", "move", "delete", "bulk"])
        open_cases = [c for c in cases if Case.objects.filter(pk=c).exists()]
        pick = Case.objects.get(pk=rng.choice(open_cases)) if open_cases else None
        try:
            if op == "new" or pick is None:
                unit = rng.choice(units)
                data = {"kind": "reward", "title": f"随机{step}", "body": "正文。", "quarter": rng.randint(1, 4)}
                data["event_date"] = datetime.date(2019, 3, 1)
                data["source_unit"] = unit
                cases.append(services.create_case(staff_user, data, submit=rng.random() < 0.7).pk)
            elif op == "submit":
                services.submit_case(pick, staff_user)
            elif op == "accept":
                services.accept_case(pick, staff_user)
            elif op == "return":
                services.return_case(pick, staff_user, "请修改")
            elif op == "withdraw":
                services.withdraw_case(pick, staff_user)
            elif op == "move":
                services.update_case(pick, staff_user, {"quarter": rng.randint(1, 4), "source_unit": rng.choice(units)})
            elif op == "delete":
                pick.delete()
            elif op == "bulk":
                Case.objects.filter(pk=pick.pk).update(status=CaseStatus.ACCEPTED, quarter=rng.randint(1, 4))
                stored_counts.invalidate([YEAR])
            done[op] += 1
        except services.DomainError:
            pass  # a step the case's status refuses: nothing changed
        if step % 10 == 0 or op in ("bulk", "delete", "move"):
            assert_true()
    assert_true()
    assert done["accept"] >= 5 and done["move"] >= 5 and done["delete"] >= 3 and done["bulk"] >= 3


def test_the_nightly_job_rebuilds_and_logs_drift(units, caplog):
    fgw = units[0]
    assert_true()
    CaseCount.objects.create(unit=fgw, year=YEAR, quarter=1, count=0)  # a lost change, somehow
    CaseCount.objects.filter(unit=fgw, year=YEAR, quarter=1).update(count=99)
    with caplog.at_level(logging.WARNING, logger="cases.stored_counts"):
        call_command("rebuild_case_counts", stdout=io.StringIO())
    assert "不符" in caplog.text
    assert stored(fgw, 1) == stored_counts.live_counts(YEAR).get((fgw.pk, 1), 0)
    assert_true()


def test_the_nightly_job_is_in_the_one_list():
    from kunshan_credit.jobs import JOBS

    assert "rebuild_case_counts" in {job.command for job in JOBS}


def test_a_case_moved_to_another_year_leaves_both_years_true(staff_user, units):
    case = CaseFactory(source_unit=units[0], source_label="x", year=YEAR, quarter=2, status=CaseStatus.ACCEPTED)
    assert_true()
    Case.objects.get(pk=case.pk)  # a repair in the admin: the year changed
    case.year = 2018
    case.save()
    assert CaseCountYear.objects.filter(year=2018).exists()
    assert stored_counts.live_counts(2018) == {(units[0].pk, 2): 1}
    assert_true()
    assert_true(2018)
