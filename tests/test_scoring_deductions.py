"""Deduction records entered by staff through the form, and the 扣分情况 text they produce.

Only confirmed records count and show in the bulletin's 扣分情况 column, in the office's wording
(“诚信专题宣传任务未完成2次，扣1分”); a “*” is pending and never listed.
"""

import datetime
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from assessment.models import Deduction, Indicator, Mark, Unit
from assessment.scoring.services import record_deduction
from assessment.tables import build_tables, schemes_with_parts
from core.errors import DomainError

from . import reference
from .factories import DeductionFactory, correct_demo_issue

NEW = "/assessment/2019/scores/deductions/new/"
LIST = "/assessment/2019/scores/deductions/"
BULLETIN = "/bulletins/2019/11/"


def _indicator(slug, order):
    return Indicator.objects.get(scheme__year=2019, scheme__category__slug=slug, order=order)


def _unit(name):
    return Unit.objects.get(name=name)


def _form(unit, indicator, **extra):
    return {
        "unit": unit.pk,
        "indicator": indicator.pk,
        "date": "2019-10-15",
        "reason": "10月诚信专题宣传任务未按时完成",
        **extra,
    }


def _texts(year=2019):
    tables = build_tables(schemes_with_parts().filter(year=year))
    return {row.unit.name: row.deduction_text for t in tables for row in t.rows}


def test_staff_record_and_confirm_missed_tasks_through_the_form(role_client):
    client = role_client("staff")
    unit, indicator = _unit("亭林城市管理办事处"), _indicator("offices", 5)
    assert "亭林城市管理办事处" in client.get(NEW).content.decode()
    response = client.post(NEW, _form(unit, indicator, count="2"))
    assert response.status_code == 302 and response["Location"] == LIST
    record = Deduction.objects.get(unit=unit)
    assert (record.count, record.amount, record.confirmed, record.entered_by.username) == (2, None, False, "t_staff")
    # Not confirmed: not in scores, not in the bulletin.
    assert _texts()["亭林城市管理办事处"] == ""
    page = client.get(LIST).content.decode()
    assert "待确认" in page and "10月诚信专题宣传任务未按时完成" in page
    # the record's row links its unit's scores, its confirmation and its deletion
    for link in (
        f'href="/assessment/2019/scores/{unit.pk}/"',
        f'action="/assessment/2019/scores/deductions/{record.pk}/confirm/"',
        f'href="/assessment/2019/scores/deductions/{record.pk}/delete/"',
    ):
        assert link in page
    response = client.post(f"/assessment/2019/scores/deductions/{record.pk}/confirm/")
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.confirmed and record.confirmed_by.username == "t_staff"
    assert _texts()["亭林城市管理办事处"] == "诚信专题宣传任务未完成2次，扣1分"
    again = client.post(f"/assessment/2019/scores/deductions/{record.pk}/confirm/", follow=True)
    assert "已经确认过了" in again.content.decode()


def test_confirmed_deductions_show_on_the_bulletin_page_and_in_the_workbook(role_client, staff_user):
    unit = _unit("亭林城市管理办事处")
    DeductionFactory(unit=unit, indicator=_indicator("offices", 5), count=1, entered_by=staff_user)
    DeductionFactory(unit=unit, indicator=_indicator("offices", 5), count=1, entered_by=staff_user)
    DeductionFactory(unit=unit, indicator=_indicator("offices", 6), count=None, amount=D("5"), entered_by=staff_user)
    wanted = "诚信专题宣传任务未完成2次，扣1分；监测到严重失信事件1起，扣5分"
    # The published issue is frozen; the office prints the confirmed deductions with a correction.
    assert wanted not in role_client("anonymous").get(BULLETIN).content.decode()
    assert correct_demo_issue("印发扣分情况")
    html = role_client("anonymous").get(BULLETIN).content.decode()
    assert f'<td class="deduction-col">{wanted}</td>' in html
    response = role_client("anonymous").get("/bulletins/2019/11/progress.xlsx")
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["城市管理办事处"]
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "亭林城市管理办事处")
    assert row[-1] == wanted


def test_unconfirmed_and_pending_are_never_listed_and_the_demo_stays_as_printed(db, staff_user):
    """The demo has * everywhere but no confirmed record: 扣分情况 is empty, as in the printed issue."""
    DeductionFactory(unit=_unit("团市委"), indicator=_indicator("departments", 9), confirmed_at=None, confirmed_by=None)
    texts = _texts()
    assert set(texts.values()) == {""}
    printed = reference.tables()
    assert all(row[-1] == "" for category in reference.CATEGORIES for row in printed[category]["rows"])


def test_wording_and_cap_of_the_text(db, staff_user):
    """宣传 (offices, 0.5/次, cap 2): five misses are 2.5 → “扣2分”; cases (departments): “少报” wording."""
    DeductionFactory(unit=_unit("柏庐城市管理办事处"), indicator=_indicator("offices", 5), count=5)
    DeductionFactory(unit=_unit("科技局"), indicator=_indicator("departments", 8), count=3)
    DeductionFactory(unit=_unit("科技局"), indicator=_indicator("departments", 7), count=4)
    texts = _texts()
    assert texts["柏庐城市管理办事处"] == "诚信专题宣传任务未完成5次，扣2分"
    assert texts["科技局"] == "未按要求反馈联合奖惩措施和应用成效4次，扣0.04分；未按要求报送奖惩案例3条，扣0.15分"


def test_a_column_explained_later_drops_out_of_the_text(db, staff_user):
    """发改委's 反馈 column is 已说明情况: an explained item is not deducted, so a record for it is not listed."""
    DeductionFactory(unit=_unit("发改委"), indicator=_indicator("departments", 7), count=4)
    DeductionFactory(unit=_unit("发改委"), indicator=_indicator("departments", 8), count=1)
    assert _texts()["发改委"] == "未按要求报送奖惩案例1条，扣0.05分"


def test_a_count_must_be_at_least_one(role_client, staff_user):
    client = role_client("staff")
    response = client.post(NEW, _form(_unit("亭林城市管理办事处"), _indicator("offices", 5), count="0"))
    assert response.status_code == 200
    assert not Deduction.objects.exists()
    assert '<ul class="errorlist" id="id_count_error">' in response.content.decode()
    with pytest.raises(DomainError, match="至少1次"):
        record_deduction(
            unit=_unit("亭林城市管理办事处"),
            indicator=_indicator("offices", 5),
            date=datetime.date(2019, 5, 1),
            count=0,
            reason="x",
            user=staff_user,
        )


def test_an_amount_above_the_columns_cap_is_refused_in_chinese(role_client):
    client = role_client("staff")
    response = client.post(NEW, _form(_unit("发改委"), _indicator("departments", 10), amount="0.5"))
    assert response.status_code == 200
    assert "不能超过本项上限0.3分" in response.content.decode()
    assert not Deduction.objects.exists()
    response = client.post(NEW, _form(_unit("发改委"), _indicator("departments", 10), amount="0.3", confirm="on"))
    assert response.status_code == 302
    assert Deduction.objects.get().confirmed


def test_count_for_per_occurrence_and_amount_for_discretionary_are_required(role_client):
    client = role_client("staff")
    html = client.post(NEW, _form(_unit("发改委"), _indicator("departments", 9))).content.decode()
    assert "按次扣分的指标请填写次数" in html
    html = client.post(NEW, _form(_unit("发改委"), _indicator("departments", 10))).content.decode()
    assert "视情扣分的指标请填写扣分" in html
    assert not Deduction.objects.exists()


def test_no_record_for_a_non_assessed_or_explained_column(role_client):
    """组织部's 奖惩措施…反馈 is 已说明情况; 机关事务管理中心's 奖惩案例 is 非考核项: not deducted, so refused."""
    client = role_client("staff")
    html = client.post(NEW, _form(_unit("组织部"), _indicator("departments", 7), count="1")).content.decode()
    assert "不作为扣分项，不能记录扣分" in html
    html = client.post(NEW, _form(_unit("机关事务管理中心"), _indicator("departments", 8), count="1")).content.decode()
    assert "“非考核项”" in html
    assert not Deduction.objects.exists()


def test_a_unit_of_another_category_and_a_date_outside_the_year_are_refused(role_client):
    client = role_client("staff")
    html = client.post(NEW, _form(_unit("周庄镇"), _indicator("offices", 5), count="1")).content.decode()
    assert "不在2019年 城市管理办事处的参评单位中" in html
    html = client.post(
        NEW, _form(_unit("亭林城市管理办事处"), _indicator("offices", 5), count="1", date="2020-01-02")
    ).content.decode()
    assert "日期应在2019年内" in html
    assert not Deduction.objects.exists()


def test_only_rules_counted_by_occurrence_or_at_discretion_take_records(db, staff_user):
    with pytest.raises(DomainError, match="按完成情况计分，不能记录扣分"):
        record_deduction(
            unit=_unit("发改委"),
            indicator=_indicator("departments", 1),
            date=datetime.date(2019, 5, 1),
            count=1,
            reason="x",
            user=staff_user,
        )
    with pytest.raises(DomainError, match="请填写扣分事由"):
        record_deduction(
            unit=_unit("发改委"),
            indicator=_indicator("departments", 9),
            date=datetime.date(2019, 5, 1),
            count=1,
            reason="  ",
            user=staff_user,
        )
    assert not Deduction.objects.exists()


def test_delete_asks_first_then_removes(role_client, staff_user):
    record = DeductionFactory(unit=_unit("发改委"), indicator=_indicator("departments", 9), count=2)
    client = role_client("staff")
    url = f"/assessment/2019/scores/deductions/{record.pk}/delete/"
    page = client.get(url).content.decode()
    assert "确定删除" in page and "它已确认" in page
    assert Deduction.objects.filter(pk=record.pk).exists()
    assert client.post(url).status_code == 302
    assert not Deduction.objects.filter(pk=record.pk).exists()


def test_the_form_reaches_only_staff(role_client):
    assert (
        role_client("leader").post(NEW, _form(_unit("发改委"), _indicator("departments", 9), count="1")).status_code
        == 403
    )
    assert role_client("reporter").get(NEW).status_code == 404
    assert not Deduction.objects.exists()


def test_records_and_text_cost_one_query_for_all_units(db, staff_user):
    """build_tables reads the confirmed records of every unit in one query, however many there are."""
    schemes = schemes_with_parts().filter(year=2019)
    with CaptureQueriesContext(connection) as before:
        [row.deduction_text for t in build_tables(schemes) for row in t.rows]
    for name in ("发改委", "教育局", "科技局", "团市委", "财政局"):
        DeductionFactory(unit=_unit(name), indicator=_indicator("departments", 9), count=1)
        DeductionFactory(unit=_unit(name), indicator=_indicator("departments", 7), count=2)
    with CaptureQueriesContext(connection) as after:
        texts = [row.deduction_text for t in build_tables(schemes_with_parts().filter(year=2019)) for row in t.rows]
    assert len(after.captured_queries) == len(before.captured_queries)
    assert sum(1 for t in texts if t) == 5


def test_marks_still_decide_the_cell_and_never_change_through_records(db, staff_user):
    """A record changes the 扣分情况 text and the score, never the printed cell."""
    mark = Mark.objects.get(unit__name="团市委", indicator=_indicator("departments", 9))
    DeductionFactory(unit=mark.unit, indicator=mark.indicator, count=1)
    mark.refresh_from_db()
    assert (mark.state, mark.version) == ("*", 1)
