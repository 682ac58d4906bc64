"""Bulk set: a whole column, or its ticked rows, to one value: confirmation first, then one batch."""

import re
from collections import Counter

import pytest

from assessment.marks.services import HOW, set_mark
from assessment.models import ChangeBatch, Indicator, Mark, Unit

from . import reference
from .factories import UserFactory

BULK = "/assessment/2019/departments/bulk/"
GRID = "/assessment/2019/departments/"


def column(order, slug="departments"):
    return Indicator.objects.get(scheme__year=2019, scheme__category__slug=slug, order=order)


def unit_ids(*names):
    return [Unit.objects.get(name=n).pk for n in names]


def states(indicator):
    return {m.unit.name: m.display for m in Mark.objects.filter(indicator=indicator).select_related("unit")}


def confirm_page(client, indicator, value, units=None):
    params = {"indicator": indicator.pk, "value": value}
    if units is not None:
        params.update(scope="selected", unit=units)
    response = client.get(BULK, params)
    assert response.status_code == 200, response.get("Location")
    return response.content.decode()


def confirmed_form(html):
    """The hidden fields of the confirmation form, as the browser would send them."""
    form = html[html.index('class="confirm-form"') :]
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form)
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


def message(response):
    return [str(m) for m in response.wsgi_request._messages]


def test_selected_rows_confirmation_says_how_many_change_from_what(role_client):
    html = confirm_page(role_client("staff"), column(2), "√", unit_ids("财政局", "烟草专卖局", "组织部"))
    assert "3 个单元格：* → √ 2 个，非考核项 → √ 1 个" in html
    assert "选中的 3 个单位" in html


def test_whole_column_confirmation_counts_every_change(role_client):
    printed = [row[2] for row in reference.tables()["部门"]["rows"]]
    changes = Counter(v for v in printed if v != "√")
    html = confirm_page(role_client("staff"), column(2), "√")
    expected = "，".join(f"{old} → √ {n} 个" for old, n in changes.most_common())
    assert f"{sum(changes.values())} 个单元格：{expected}" in html
    assert f"另有 {printed.count('√')} 个单元格已经是“√”" in html
    assert "（整列）" in html


def test_confirming_applies_all_cells_in_one_batch(role_client, staff_user):
    client = role_client("staff")
    indicator = column(2)
    before = states(indicator)
    html = confirm_page(client, indicator, "√", unit_ids("财政局", "烟草专卖局", "组织部"))
    batches = ChangeBatch.objects.count()
    response = client.post(BULK, confirmed_form(html))
    assert response.status_code == 302 and response["Location"] == GRID
    assert "已将“配合推进国家守信激励创新试点项目”一栏的 3 个单元格设为“√”。" in message(response)
    after = states(indicator)
    assert {n for n in after if after[n] != before[n]} == {"财政局", "烟草专卖局", "组织部"}
    assert {after[n] for n in ("财政局", "烟草专卖局", "组织部")} == {"√"}
    assert ChangeBatch.objects.count() == batches + 1
    batch = ChangeBatch.objects.first()
    assert (batch.how, batch.created_by, batch.entries.count()) == (HOW.BULK, staff_user, 3)
    assert {e.history_change_reason for e in batch.entries.all()} == {HOW.BULK}


def test_whole_column_through_the_grids_form(role_client):
    """The grid's bulk form (scope=all, ticked rows ignored) → confirmation → POST."""
    client = role_client("staff")
    indicator = column(9)
    response = client.get(BULK, {"indicator": indicator.pk, "value": "√", "scope": "all", "unit": unit_ids("发改委")})
    client.post(BULK, confirmed_form(response.content.decode()))
    assert set(states(indicator).values()) == {"√"}


def test_a_cell_changed_after_confirmation_refuses_the_whole_batch(role_client):
    client = role_client("staff")
    indicator = column(2)
    html = confirm_page(client, indicator, "√", unit_ids("财政局", "烟草专卖局", "组织部"))
    colleague = UserFactory(username="li", first_name="李四")
    set_mark(Mark.objects.get(indicator=indicator, unit__name="烟草专卖局"), "已说明", colleague)
    before = states(indicator)
    batches = ChangeBatch.objects.count()
    response = client.post(BULK, confirmed_form(html))
    assert response.status_code == 302
    [text] = message(response)
    assert "没有修改任何单元格" in text and "李四" in text and "已说明" in text
    assert states(indicator) == before
    assert ChangeBatch.objects.count() == batches


def test_forged_cells_of_another_column_or_year_are_refused(role_client):
    client = role_client("staff")
    indicator = column(2)
    other = Mark.objects.get(indicator=column(4), unit__name="人武部")  # * in another column
    town = Mark.objects.get(indicator=column(5, "towns"), unit__name="昆山开发区")
    before = states(indicator), other.state, town.state
    for forged in (other, town):
        data = {"indicator": [indicator.pk], "value": ["√"], "cell": [f"{forged.pk}:{forged.version}"]}
        response = client.post(BULK, data)
        assert "不在这一栏中" in message(response)[0]
    other.refresh_from_db()
    town.refresh_from_db()
    assert (states(indicator), other.state, town.state) == before


def test_indicator_of_another_table_is_refused(role_client):
    client = role_client("staff")
    response = client.get(BULK, {"indicator": column(5, "towns").pk, "value": "√"})
    assert response.status_code == 302 and response["Location"] == GRID
    assert "请选择这张表中" in message(response)[0]


def test_rows_of_another_table_are_refused(role_client):
    client = role_client("staff")
    response = client.get(
        BULK, {"indicator": column(2).pk, "value": "√", "scope": "selected", "unit": unit_ids("周庄镇")}
    )
    assert "不在这张表中" in message(response)[0]


def test_selected_scope_without_rows_asks_to_tick_some(role_client):
    client = role_client("staff")
    response = client.get(BULK, {"indicator": column(2).pk, "value": "√", "scope": "selected"})
    assert "请先勾选" in message(response)[0]


@pytest.mark.parametrize(("order", "value", "reason"), [(2, "无", "不是"), (10, "√", "不是"), (2, "", "不能为空")])
def test_value_the_column_refuses(role_client, order, value, reason):
    client = role_client("staff")
    response = client.get(BULK, {"indicator": column(order).pk, "value": value})
    assert response.status_code == 302 and reason in message(response)[0]


def test_count_column_cannot_be_bulk_set_to_a_number(role_client):
    client = role_client("staff")
    indicator = Indicator.objects.get(scheme__year=2019, scheme__category__slug="departments", accepts_count=True)
    before = states(indicator)
    response = client.get(BULK, {"indicator": indicator.pk, "value": "4"})
    assert "“奖惩案例”一栏由奖惩案例记录自动统计，不能直接填写数量。" in message(response)[0]
    cell = Mark.objects.filter(indicator=indicator).first()
    response = client.post(BULK, {"indicator": indicator.pk, "value": "4", "cell": f"{cell.pk}:{cell.version}"})
    assert "“奖惩案例”一栏由奖惩案例记录自动统计，不能直接填写数量。" in message(response)[0]
    assert states(indicator) == before


def test_nothing_to_change(role_client):
    html = confirm_page(role_client("staff"), column(1), "√")
    assert "没有需要修改的单元格" in html and 'class="confirm-form"' not in html


def test_leader_and_reporters_cannot_bulk_set(role_client):
    indicator = column(2)
    cell = Mark.objects.get(indicator=indicator, unit__name="财政局")
    data = {"indicator": indicator.pk, "value": "√", "cell": f"{cell.pk}:{cell.version}"}
    for role, status in (("leader", 403), ("reporter", 404), ("other_reporter", 404)):
        client = role_client(role)
        assert client.get(BULK, {"indicator": indicator.pk, "value": "√"}).status_code == status
        assert client.post(BULK, data).status_code == status
    cell.refresh_from_db()
    assert cell.state == "*"
