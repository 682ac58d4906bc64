"""The office keeps each year's indicators in the browser (/office/schemes/): allowed values as checkboxes,
points, rules and due dates; add, move, remove after confirming; the model's rules (entered marks, a closed
year) refuse in Chinese with nothing half-written; every change in the audit log."""

import pytest

from assessment.marks.services import HOW, set_mark
from assessment.models import Indicator, Mark, Scheme
from assessment.scoring.services import close_year
from core.audit.actions import AuditAction
from core.audit.models import AuditEntry, AuditResult

from .conftest import MENU_TODO_QUERIES, log_in

SCHEME = "/office/schemes/2019/towns/"


@pytest.fixture
def office(client, staff_user):
    log_in(client, staff_user)
    return client


def _towns(order):
    return Indicator.objects.get(scheme__year=2019, scheme__category__slug="towns", order=order)


def _form(indicator=None, **changes):
    """The form as the page fills it for `indicator` (or a new column), with `changes`."""
    form = {
        "title": "信用承诺",
        "points": "0.2",
        "points_label": "(0.2分)",
        "rule_kind": "lose",
        "rate": "",
        "cap": "",
        "allowed_states": ["√", "*", "非考核项"],
        "in_full_points": "on",
        "due_rule": "year_end",
        "due_date": "",
        "deduction_wording": "",
        "rule_group": "",
    }
    if indicator is not None:
        form.update(
            title=indicator.title,
            points=str(indicator.points),
            points_label=indicator.points_label,
            rule_kind=indicator.rule_kind,
            rate="" if indicator.rate is None else str(indicator.rate),
            cap="" if indicator.cap is None else str(indicator.cap),
            allowed_states=list(indicator.allowed_states),
            due_rule=indicator.due_rule,
            due_date=indicator.due_date.isoformat() if indicator.due_date else "",
            deduction_wording=indicator.deduction_wording,
            rule_group=indicator.rule_group_id or "",
        )
        if indicator.accepts_count:
            form["accepts_count"] = "on"
        if not indicator.in_full_points:
            del form["in_full_points"]
    form.update(changes)
    return form


def _entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_the_pages_list_years_and_the_columns_in_order(office, django_assert_max_num_queries):
    with django_assert_max_num_queries(8 + MENU_TODO_QUERIES["staff"]):  # 6 today, and the menu's 待办
        index = office.get("/office/schemes/")
    assert index.status_code == 200 and f'href="{SCHEME}"' in index.content.decode()
    with django_assert_max_num_queries(14 + MENU_TODO_QUERIES["staff"]):  # 12 today, whatever the columns, notes, units
        response = office.get(SCHEME)
    html = response.content.decode()
    titles = list(Indicator.objects.filter(scheme__year=2019, scheme__category__slug="towns").order_by("order"))
    positions = [html.index(f'<th scope="row">{i.title}</th>') for i in titles]
    assert positions == sorted(positions) and len(titles) >= 5
    assert f'href="/office/indicators/{titles[0].pk}/edit/"' in html


def test_the_form_offers_allowed_values_as_checkboxes(office):
    indicator = _towns(1)
    html = office.get(f"/office/indicators/{indicator.pk}/edit/").content.decode()
    assert html.count('type="checkbox" name="allowed_states"') == 6
    assert '<input type="checkbox" name="allowed_states" value="√"' in html and "checked" in html
    # The admin's inline renders the same form (the widget lives once, in assessment.directory.forms).
    from assessment.admin import IndicatorInline
    from assessment.directory.forms import IndicatorForm

    assert issubclass(IndicatorInline.form, IndicatorForm)


def test_edit_allowed_values_points_and_due_date(office, staff_user):
    indicator = _towns(1)
    wanted = ["已说明情况", *indicator.allowed_states]  # ticked in any order, stored in the vocabulary's
    form = _form(indicator, allowed_states=wanted, due_rule="date", due_date="2019-11-30", points_label="(0.5分)")
    response = office.post(f"/office/indicators/{indicator.pk}/edit/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    indicator.refresh_from_db()
    assert indicator.allowed_states == [s for s in ["√", "*", "非考核项", "已说明", "已说明情况", "无"] if s in wanted]
    assert (indicator.due_rule, str(indicator.due_date), indicator.points_label) == ("date", "2019-11-30", "(0.5分)")
    (entry,) = _entries(AuditAction.INDICATOR_CHANGE)
    assert entry.actor == staff_user and "截止日期：（空） → 2019-11-30" in entry.detail and "可填内容" in entry.detail


def test_allowed_values_must_hold_the_marks_already_entered(office):
    indicator = _towns(5)  # * for several towns
    assert Mark.objects.filter(indicator=indicator, state="*").exists()
    before = list(indicator.allowed_states)
    response = office.post(
        f"/office/indicators/{indicator.pk}/edit/", _form(indicator, allowed_states=["√", "非考核项"])
    )
    assert response.status_code == 400
    assert "已有“*”" in response.content.decode() and "新的可填内容不包括它" in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.allowed_states == before


def test_bad_input_is_shown_beside_the_field_and_nothing_is_created(office):
    count, marks = Indicator.objects.count(), Mark.objects.count()
    response = office.post(f"{SCHEME}new/", _form(rule_kind="per_occurrence", allowed_states=[]))
    html = response.content.decode()
    assert response.status_code == 400
    assert "按次扣分的指标需要填写每次扣分和最高扣分。" in html or "至少要允许一种标记或数量。" in html
    response = office.post(f"{SCHEME}new/", _form(due_rule="date"))
    assert "截止规则为“限期完成”时需要填写截止日期。" in response.content.decode()
    assert (Indicator.objects.count(), Mark.objects.count()) == (count, marks)


def test_a_new_column_comes_last_with_a_cell_for_every_unit(office, staff_user):
    scheme = Scheme.objects.get(year=2019, category__slug="towns")
    last = scheme.indicators.order_by("-order").first().order
    response = office.post(f"{SCHEME}new/", _form())
    assert response.status_code == 302, response.content.decode()[:3000]
    new = scheme.indicators.get(title="信用承诺")
    assert new.order == last + 1
    marks = Mark.objects.filter(indicator=new)
    assert marks.count() == scheme.scheme_units.count() and {m.state for m in marks} == {"*"}
    assert marks.first().history.first().history_change_reason == HOW.NEW_INDICATOR
    (entry,) = _entries(AuditAction.INDICATOR_CREATE)
    assert "信用承诺" in entry.object_text and f"建立完成情况{marks.count()}项" in entry.detail
    grid = office.get("/assessment/2019/towns/").content.decode()
    assert f'data-indicator="{new.pk}" data-allowed="√|*|非考核项"' in grid


def test_move_a_column_left(office):
    first, second = _towns(1), _towns(2)
    response = office.post(f"/office/indicators/{second.pk}/move/", {"step": "up"})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.order, second.order) == (2, 1)
    (entry,) = _entries(AuditAction.INDICATOR_CHANGE)
    assert entry.detail.startswith("顺序：2 → 1")
    response = office.post(f"/office/indicators/{second.pk}/move/", {"step": "up"}, follow=True)
    assert "已经是第一项" in response.content.decode()


def test_remove_only_a_column_nothing_was_entered_in(office):
    entered = _towns(1)
    page = office.get(f"/office/indicators/{entered.pk}/remove/").content.decode()
    assert "删除会丢失这些记录，不能删除" in page and "确认删除考核指标" not in page
    office.post(f"/office/indicators/{entered.pk}/remove/")
    assert Indicator.objects.filter(pk=entered.pk).exists()
    assert _entries(AuditAction.INDICATOR_DELETE)[-1].result == AuditResult.FAILED

    office.post(f"{SCHEME}new/", _form())
    new = Indicator.objects.get(scheme__year=2019, scheme__category__slug="towns", title="信用承诺")
    assert "确认删除考核指标" in office.get(f"/office/indicators/{new.pk}/remove/").content.decode()
    response = office.post(f"/office/indicators/{new.pk}/remove/")
    assert response.status_code == 302 and not Indicator.objects.filter(pk=new.pk).exists()
    assert not Mark.objects.filter(indicator_id=new.pk).exists()
    assert _entries(AuditAction.INDICATOR_DELETE)[-1].result == AuditResult.OK


def test_a_column_whose_cell_was_changed_is_kept(office, staff_user):
    office.post(f"{SCHEME}new/", _form())
    new = Indicator.objects.get(scheme__year=2019, scheme__category__slug="towns", title="信用承诺")
    set_mark(Mark.objects.filter(indicator=new).first(), "√", staff_user)
    response = office.post(f"/office/indicators/{new.pk}/remove/", follow=True)
    assert "已有1家单位的完成情况" in response.content.decode()
    assert Indicator.objects.filter(pk=new.pk).exists()


def test_removing_a_middle_column_closes_the_gap(office, staff_user):
    from assessment.directory.indicators import create_indicator, remove_indicator

    scheme = Scheme.objects.get(year=2019, category__slug="towns")
    a = create_indicator(Indicator(scheme=scheme, **_model_fields("甲")), staff_user)
    b = create_indicator(Indicator(scheme=scheme, **_model_fields("乙")), staff_user)
    remove_indicator(a, staff_user)
    b.refresh_from_db()
    assert b.order == a.order
    orders = list(scheme.indicators.order_by("order").values_list("order", flat=True))
    assert orders == list(range(1, len(orders) + 1))


def _model_fields(title):
    return {
        "title": title,
        "points": "0.1",
        "points_label": "(0.1分)",
        "rule_kind": "lose",
        "allowed_states": ["√", "*"],
    }


def test_a_closed_year_refuses_every_change(office, staff_user):
    close_year(2019, staff_user)
    indicator = _towns(1)
    page = office.get(SCHEME).content.decode()
    assert "考核数据已锁定" in page and f"/office/indicators/{indicator.pk}/edit/" not in page
    response = office.post(f"/office/indicators/{indicator.pk}/edit/", _form(indicator, title="改过的表头"))
    assert response.status_code == 400 and "考核数据已锁定" in response.content.decode()
    response = office.post(f"/office/indicators/{_towns(2).pk}/move/", {"step": "up"}, follow=True)
    assert "考核数据已锁定" in response.content.decode()
    response = office.post(f"{SCHEME}new/", _form())
    assert response.status_code == 400 and "考核数据已锁定" in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.title != "改过的表头" and _towns(2).order == 2
    assert not Indicator.objects.filter(title="信用承诺").exists()


def test_the_index_counts_columns_and_units_not_their_product(office):
    html = office.get("/office/schemes/").content.decode()
    towns = Scheme.objects.get(year=2019, category__slug="towns")
    columns, units = towns.indicators.count(), towns.units.count()
    assert columns > 1 and units > 1
    assert f"{towns.category.name}</a>：{columns} 项指标，{units} 家单位" in html


def test_a_plain_header_follows_the_points_and_the_form_says_so(office):
    indicator = _towns(1)
    assert indicator.points_label in ("(0.6分)", "（0.6分）")
    page = office.get(f"/office/indicators/{indicator.pk}/edit/").content.decode()
    assert "表头随分值更新" in page
    response = office.post(f"/office/indicators/{indicator.pk}/edit/", _form(indicator, points="2.5"))
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.points_label == indicator.points_label[0] + "2.5分" + indicator.points_label[-1]
    grid = office.get("/assessment/2019/towns/").content.decode()
    assert f'<span class="ind-points">{indicator.points_label}</span>' in grid


def test_a_header_of_its_own_stays_when_the_points_change(office):
    indicator = _towns(1)
    office.post(f"/office/indicators/{indicator.pk}/edit/", _form(indicator, points_label="(两项合计0.6分)"))
    indicator.refresh_from_db()
    office.post(f"/office/indicators/{indicator.pk}/edit/", _form(indicator, points="0.8"))
    indicator.refresh_from_db()
    assert (str(indicator.points), indicator.points_label) == ("0.80", "(两项合计0.6分)")
