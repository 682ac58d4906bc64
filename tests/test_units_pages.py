"""The office keeps its units in the browser (/office/units/): create (and enrol in a year), edit, deactivate
and delete after confirming; refusals in Chinese with nothing half-written; every change in the audit log."""

import pytest

from assessment.models import Category, Mark, Scheme, SchemeUnit, Unit
from assessment.scoring.services import close_year
from core.audit.actions import AuditAction
from core.audit.models import AuditEntry, AuditResult

from .conftest import MENU_TODO_QUERIES, log_in

UNITS = "/office/units/"
NEW = "/office/units/new/"


@pytest.fixture
def office(client, staff_user):
    log_in(client, staff_user)
    return client


def _departments():
    return Category.objects.get(slug="departments")


def _form(**changes):
    form = {"name": "数据局", "full_name": "市数据局", "category": _departments().pk, "order": 99, "enrol": ""}
    form.update(changes)
    return form


def _entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_the_list_shows_each_category_with_links_to_edit_and_contacts(office, django_assert_max_num_queries):
    with django_assert_max_num_queries(
        8 + MENU_TODO_QUERIES["staff"]
    ):  # 6 today (and the menu's 待办), whatever the units
        response = office.get(UNITS)
    html = response.content.decode()
    assert response.status_code == 200
    for category in Category.objects.all():
        assert f"{category.name}（{category.units.count()} 家）" in html
    unit = Unit.objects.get(name="统计局")
    assert f'href="/office/units/{unit.pk}/edit/"' in html
    assert f'href="/units/{unit.pk}/contacts/"' in html
    assert f'href="/office/units/{unit.pk}/deactivate/"' in html
    # Every page of the office's administration is one link away in the menu.
    assert 'href="/office/units/"' in office.get("/office/").content.decode()
    contacts = office.get(f"/units/{unit.pk}/contacts/").content.decode()
    assert f'href="/office/units/{unit.pk}/edit/"' in contacts


def test_a_new_unit_joins_the_year_and_shows_in_the_grid(office, staff_user):
    page = office.get(NEW).content.decode()
    assert '<option value="2019" selected>2019年度</option>' in page  # the open year is offered first
    response = office.post(NEW, _form(enrol="2019"))
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(name="数据局")
    assert (unit.full_name, unit.category.slug, unit.is_active) == ("市数据局", "departments", True)
    scheme = Scheme.objects.get(year=2019, category__slug="departments")
    assert SchemeUnit.objects.get(scheme=scheme, unit=unit).order == scheme.scheme_units.count()
    marks = Mark.objects.filter(unit=unit).select_related("indicator")
    assert marks.count() == scheme.indicators.count()
    assert {m.state for m in marks} <= {"*", "无"} and marks.first().history.first().history_change_reason
    (entry,) = _entries(AuditAction.UNIT_CREATE)
    assert entry.actor == staff_user and entry.object_text == "数据局" and "加入2019年 部门" in entry.detail
    grid = office.get("/assessment/2019/departments/").content.decode()
    assert f'<tr data-unit="{unit.pk}">' in grid


def test_bad_input_keeps_nothing_and_says_why_in_chinese(office):
    before = Unit.objects.count()
    response = office.post(NEW, _form(name=""))
    assert response.status_code == 400 and "该字段是必填项" in response.content.decode()
    response = office.post(NEW, _form(name="统计局", enrol="2019"))
    assert response.status_code == 400 and "已有同名的责任单位。" in response.content.decode()
    # A year that has no scheme of the category: refused as a whole, the unit is not left behind.
    offices = Category.objects.get(slug="offices")
    Scheme.objects.create(year=2031, category=_departments())
    response = office.post(NEW, _form(category=offices.pk, enrol="2031"))
    assert response.status_code == 400
    assert "2031年度没有“城市管理办事处”的考核方案，不能加入。" in response.content.decode()
    assert Unit.objects.count() == before
    assert _entries(AuditAction.UNIT_CREATE)[-1].result == AuditResult.FAILED


def test_edit_full_name_and_order_audited_field_by_field(office):
    unit = Unit.objects.get(name="统计局")
    form = _form(name="统计局", full_name="昆山市统计局", order=unit.order + 1)
    response = office.post(f"/office/units/{unit.pk}/edit/", form)
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.full_name == "昆山市统计局"
    (entry,) = _entries(AuditAction.UNIT_CHANGE)
    assert "全称：市统计局 → 昆山市统计局" in entry.detail and "顺序：" in entry.detail


def test_an_enrolled_unit_keeps_its_category(office):
    unit = Unit.objects.get(name="统计局")
    towns = Category.objects.get(slug="towns")
    response = office.post(f"/office/units/{unit.pk}/edit/", _form(name="统计局", category=towns.pk))
    assert response.status_code == 400
    assert "该单位已参加考核方案，不能更改类别。" in response.content.decode()
    unit.refresh_from_db()
    assert unit.category.slug == "departments"


def test_a_unit_with_records_is_not_deleted(office):
    unit = Unit.objects.get(name="统计局")
    page = office.get(f"/office/units/{unit.pk}/remove/").content.decode()
    assert "删除会丢失这些记录，不能删除" in page and "完成情况" in page and "确认删除单位" not in page
    response = office.post(f"/office/units/{unit.pk}/remove/", follow=True)
    assert "不能删除。如不再参加考核，请改为停用。" in response.content.decode()
    assert Unit.objects.filter(pk=unit.pk).exists()
    assert _entries(AuditAction.UNIT_DELETE)[-1].result == AuditResult.FAILED


def test_a_mistaken_unit_is_deleted_after_confirming(office):
    office.post(NEW, _form())
    unit = Unit.objects.get(name="数据局")
    page = office.get(f"/office/units/{unit.pk}/remove/").content.decode()
    assert "确认删除单位" in page
    assert Unit.objects.filter(pk=unit.pk).exists()  # the GET only asks
    response = office.post(f"/office/units/{unit.pk}/remove/")
    assert response.status_code == 302 and not Unit.objects.filter(pk=unit.pk).exists()
    (entry,) = _entries(AuditAction.UNIT_DELETE)
    assert (entry.result, entry.object_text, entry.object_id) == (AuditResult.OK, "数据局", str(unit.pk))


def test_deactivate_and_activate_after_confirming(office):
    unit = Unit.objects.get(name="统计局")
    assert "开始新的年度时不再包括它" in office.get(f"/office/units/{unit.pk}/deactivate/").content.decode()
    unit.refresh_from_db()
    assert unit.is_active
    office.post(f"/office/units/{unit.pk}/deactivate/")
    unit.refresh_from_db()
    assert not unit.is_active
    assert "已停用" in office.get(UNITS).content.decode()
    office.post(f"/office/units/{unit.pk}/activate/")
    unit.refresh_from_db()
    assert unit.is_active
    details = [e.detail for e in _entries(AuditAction.UNIT_CHANGE)]
    assert details == ["停用：以后的年度不再包括该单位", "启用：重新参加以后年度的考核"]


def test_a_closed_year_is_not_offered_nor_joined(office, staff_user):
    close_year(2019, staff_user)
    page = office.get(NEW).content.decode()
    assert '<option value="2019"' not in page
    from assessment.directory.units import create_unit
    from core.errors import DomainError

    with pytest.raises(DomainError, match="考核数据已锁定"):
        create_unit(Unit(name="数据局", category=_departments(), order=99), staff_user, enrol_year=2019)
    assert not Unit.objects.filter(name="数据局").exists()


def test_the_services_refuse_anyone_but_the_office(leader_user):
    from assessment.directory.units import set_unit_active
    from core.errors import DomainError

    with pytest.raises(DomainError, match="只有市信用办"):
        set_unit_active(Unit.objects.get(name="统计局"), False, leader_user)


def test_the_auditor_finds_none_of_the_office_pages(client, db):
    from django.contrib.auth.models import Group

    from assessment import access

    from .factories import UserFactory

    auditor = UserFactory(username="t_auditor_dir")
    auditor.groups.add(Group.objects.get(name=access.AUDITOR_GROUP))
    log_in(client, auditor)
    unit = Unit.objects.get(name="统计局")
    for url in (UNITS, NEW, f"/office/units/{unit.pk}/edit/", "/office/schemes/", "/office/schemes/2019/towns/"):
        assert client.get(url).status_code == 404, url
