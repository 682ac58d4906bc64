"""A new year made both ways — 开始新年度, and 2019's schemes.xlsx downloaded and imported for 2020 — is the same year.

Every field of every part of a scheme (assessment.scheme_fields, the case duty included) is compared, each
row by what names it in any year (a category by name, a column by its order, a note by its number, a unit
by its name), and the cells every enrolled unit starts the year with.
"""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from openpyxl import load_workbook

from assessment import scheme_fields
from assessment.marks.services import start_new_year
from assessment.models import DueOverride, DueRule, ImportSession, Indicator, Mark, Note, RuleGroup, Scheme, Unit
from cases.models import CaseDuty


def _name(obj):
    """What names a row of a scheme in any year."""
    if isinstance(obj, Scheme):
        return obj.category.name
    if isinstance(obj, Indicator):
        return (obj.scheme.category.name, obj.order)
    if isinstance(obj, Note):
        return (obj.scheme.category.name, "说明", obj.number)
    if isinstance(obj, RuleGroup):
        return (obj.scheme.category.name, "合并计分", obj.note.number)
    if isinstance(obj, Unit):
        return obj.name
    return str(obj)  # a category, a user


def _row(obj):
    """Every field of `obj`: values as they are, links by name, times of writing left out (auto_now)."""
    row = {}
    for field in obj._meta.get_fields():
        if field.auto_created and not field.concrete or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue  # when the row was written: differs by a moment between the two ways
        if field.many_to_many:
            row[field.name] = sorted(map(str, (_name(o) for o in getattr(obj, field.name).all())))
        elif field.is_relation:
            target = getattr(obj, field.name)
            row[field.name] = None if target is None else _name(target)
        else:
            row[field.name] = getattr(obj, field.name)
    return row


def year_of(year):
    """{part: sorted rows} of every part of the year's schemes, and the year's cells."""
    found = {}
    for part in scheme_fields.parts():
        if part.parent is None:
            rows = part.model.objects.filter(year=year)
        elif part.model_field(part.parent).related_model is Scheme:
            rows = part.model.objects.filter(**{f"{part.parent}__year": year})
        else:
            rows = part.model.objects.filter(**{f"{part.parent}__scheme__year": year})
        found[part.label] = sorted((_row(r) for r in rows), key=repr)
    marks = Mark.objects.filter(indicator__scheme__year=year).select_related("unit", "indicator__scheme__category")
    found["完成情况"] = sorted((m.unit.name, _name(m.indicator), m.state, m.count, m.version) for m in marks)
    return found


def first_unit():
    return Scheme.objects.get(year=2019, category__slug="departments").scheme_units.order_by("order")[0].unit.name


@pytest.fixture
def staff(role_client):
    return role_client("staff")


def _prepare_2019(staff_user):
    """What a year may hold beyond the demo: a column due by a date, a unit's changed due date, a case duty of 2
    a quarter, a unit no longer assessed."""
    towns = Indicator.objects.get(scheme__year=2019, scheme__category__slug="towns", order=3)
    Indicator.objects.filter(pk=towns.pk).update(due_rule=DueRule.DATE, due_date=datetime.date(2019, 6, 30))
    departments = Scheme.objects.get(year=2019, category__slug="departments")
    first, second = [su.unit for su in departments.scheme_units.select_related("unit").order_by("order")[:2]]
    publicity = departments.indicators.get(order=9)
    DueOverride.objects.create(
        unit=first,
        indicator=publicity,
        date=datetime.date(2019, 9, 30),
        reason="系统升级，延后一季度",
        set_by=staff_user,
    )
    CaseDuty.objects.filter(indicator__scheme=departments, indicator__order=8).update(per_quarter=2)
    Unit.objects.filter(pk=second.pk).update(is_active=False)


def _import_2020(staff):
    response = staff.get("/assessment/2019/schemes.xlsx")
    content = b"".join(response.streaming_content)
    response = staff.post("/assessment/2020/import/schemes/", {"file": SimpleUploadedFile("方案.xlsx", content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    session = ImportSession.objects.get(token=response["Location"].rstrip("/").split("/")[-1])
    assert session.errors == []
    staff.post(f"/assessment/import/{session.token}/confirm/")
    session.refresh_from_db()
    assert session.status == ImportSession.Status.DONE, session.message
    return session


def test_a_year_made_by_the_workbook_equals_the_year_made_by_starting_it(staff, staff_user):
    _prepare_2019(staff_user)
    with transaction.atomic():
        start_new_year(2019, staff_user)
        started = year_of(2020)
        transaction.set_rollback(True)
    assert not Scheme.objects.filter(year=2020).exists()
    session = _import_2020(staff)
    imported = year_of(2020)
    # What 2019 held beyond the demo is in 2020 (so the comparison below compares something).
    assert [d["per_quarter"] for d in started["案例报送要求"]] == [2]
    assert [(d["unit"], d["date"]) for d in started["截止日期调整"]] == [(first_unit(), datetime.date(2020, 9, 30))]
    assert len(started["参评单位"]) == 12 + 4 + 54 - 1 and len(started["合并计分规则"]) == 2
    for part, rows in started.items():
        assert imported[part] == rows, part
    # The demo's scores: 区镇 2, 城市管理办事处 10, 部门 1.8, both ways; the due dates a year on.
    full = {s.category.slug: s.full_points for s in Scheme.objects.filter(year=2020)}
    assert {k: f"{v:.2f}" for k, v in full.items()} == {"towns": "2.00", "offices": "10.00", "departments": "1.80"}
    assert Indicator.objects.get(scheme__year=2020, scheme__category__slug="towns", order=3).due_date == (
        datetime.date(2020, 6, 30)
    )
    assert "文件是2019年度的考核方案：其中的截止日期顺延1年。" in session.payload["notes"]
    # The preview said what the new year scores before anything was written.
    assert session.payload["scoring"] == [
        "区镇满分 2.00（新建方案，计分6项）",
        "城市管理办事处满分 10.00（新建方案，计分6项）",
        "部门满分 1.80（新建方案，计分8项）",
    ]
    assert any("已停用，不加入" in n for n in session.payload["notes"])


def test_the_preview_says_every_change_of_the_scoring(staff):
    response = staff.get("/assessment/2019/schemes.xlsx")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    ind = wb["考核指标"]
    header = [c.value for c in ind[2]]
    for r in range(3, ind.max_row + 1):
        if ind.cell(r, 1).value == "区镇" and ind.cell(r, 2).value == 6:
            ind.cell(r, header.index("计入满分") + 1).value = "是"
    groups = wb["合并计分"]
    groups.delete_rows(4)  # 部门 note 3 no longer scores 信用承诺 and 信用审查 together
    out = io.BytesIO()
    wb.save(out)
    response = staff.post("/assessment/2019/import/schemes/", {"file": SimpleUploadedFile("方案.xlsx", out.getvalue())})
    session = ImportSession.objects.get(token=response["Location"].rstrip("/").split("/")[-1])
    lines = session.payload["scoring"]
    assert "区镇满分 2.00 → 22.00" in lines
    event = "区镇“被国家城市信用监测系统监测到严重失信事件的”：视情扣分，最高扣20分，不计入满分，"
    assert (
        event + "扣分情况写作“监测到严重失信事件{n}起” → 视情扣分，最高扣20分，扣分情况写作“监测到严重失信事件{n}起”"
        in lines
    )
    # 部门 note 3 no longer scores its two columns together: the full score stays 1.8, the rule changes.
    assert not any(line.startswith("部门满分") for line in lines)
    assert "部门“(参照条线) 应用信用承诺”新的计分：未完成扣0.1分" in lines
    assert any(line.startswith("部门“(参照条线) 应用信用承诺、") and "（说明3）" in line for line in lines)
    page = staff.get(f"/assessment/import/{session.token}/").content.decode()
    assert "区镇满分 2.00 → 22.00" in page
    assert Scheme.objects.get(year=2019, category__slug="towns").full_points == 2  # a preview changes nothing
