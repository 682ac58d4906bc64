"""A closed year takes no change to its 奖惩案例 counts: no case accepted, no offline record added or removed."""

from assessment.models import Unit
from assessment.scoring.services import close_year, reopen_year
from cases.models import CaseCountRecord, CaseStatus

from .test_cases_counts import page_cell

LOCKED = "考核数据已锁定"


def test_accepting_a_case_of_a_closed_year_is_refused_and_explained(role_client, staff_user, reporter_case):
    client = role_client("staff")
    close_year(2019, staff_user)
    before = page_cell(client, "发改委")
    page = client.post(f"/cases/case/{reporter_case.pk}/accept/", follow=True).content.decode()
    assert LOCKED in page
    reporter_case.refresh_from_db()
    assert reporter_case.status == CaseStatus.SUBMITTED and not reporter_case.transitions.exists()
    assert page_cell(client, "发改委") == before
    # Reopened with a reason, the case can be accepted and counts again.
    reopen_year(2019, staff_user, reason="补采用第四季度案例")
    client.post(f"/cases/case/{reporter_case.pk}/accept/")
    reporter_case.refresh_from_db()
    assert reporter_case.status == CaseStatus.ACCEPTED


def test_offline_records_of_a_closed_year_are_neither_added_nor_removed(role_client, staff_user, count_record):
    client = role_client("staff")
    close_year(2019, staff_user)
    unit = Unit.objects.get(name="商务局")
    data = {"unit": unit.pk, "year": 2019, "quarters": "2-2", "date": "2019-06-28", "count": 3, "note": "纸质材料 3 例"}
    page = client.post("/cases/counts/", data).content.decode()
    assert LOCKED in page and not CaseCountRecord.objects.filter(unit=unit).exists()
    page = client.post(f"/cases/counts/{count_record.pk}/delete/", follow=True).content.decode()
    assert LOCKED in page and CaseCountRecord.objects.filter(pk=count_record.pk).exists()
