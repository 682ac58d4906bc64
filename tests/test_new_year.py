"""A new year: staff start year N+1 from year N in one step; year N stays as it was."""

import time

import pytest

from assessment.marks.services import HOW, set_mark, start_new_year
from assessment.models import Indicator, Mark, Note, Scheme, SchemeUnit, Unit
from core.errors import DomainError

from .factories import IndicatorFactory, SchemeFactory

INDICATOR_FIELDS = ["order", "title", "points", "points_label", "rule_kind", "rate", "cap", "allowed_states"]


def year_snapshot(year):
    """Everything of a year that the copy must leave alone."""
    return {
        "indicators": list(Indicator.objects.filter(scheme__year=year).order_by("pk").values()),
        "notes": [
            (n.pk, n.text, sorted(i.pk for i in n.indicators.all()))
            for n in Note.objects.filter(scheme__year=year).prefetch_related("indicators").order_by("pk")
        ],
        "units": list(SchemeUnit.objects.filter(scheme__year=year).order_by("pk").values()),
        "marks": list(
            Mark.objects.filter(indicator__scheme__year=year).order_by("pk").values("pk", "state", "count", "version")
        ),
        "history": Mark.history.filter(indicator__scheme__year=year).count(),
    }


def test_copies_schemes_indicators_and_notes(staff_user):
    created = start_new_year(2019, staff_user)
    assert [s.category.slug for s in created] == ["towns", "offices", "departments"]
    for old in Scheme.objects.filter(year=2019):
        new = Scheme.objects.get(year=2020, category=old.category)
        old_inds = list(old.indicators.order_by("order").values(*INDICATOR_FIELDS, "accepts_count"))
        assert list(new.indicators.order_by("order").values(*INDICATOR_FIELDS, "accepts_count")) == old_inds
        assert new.full_points == old.full_points
        old_notes = [(n.number, n.text, [i.order for i in n.indicators.all()]) for n in old.notes.all()]
        new_notes = [(n.number, n.text, [i.order for i in n.indicators.all()]) for n in new.notes.all()]
        assert new_notes == old_notes
        # The notes point at the new year's indicators, never at the old ones.
        assert not Indicator.objects.filter(notes__scheme=new).exclude(scheme=new).exists()


def test_copies_active_units_in_the_same_order_with_marks_pending(staff_user):
    start_new_year(2019, staff_user)
    for old in Scheme.objects.filter(year=2019):
        new = Scheme.objects.get(year=2020, category=old.category)
        assert list(new.scheme_units.values_list("unit__name", "order")) == list(
            old.scheme_units.values_list("unit__name", "order")
        )
        assert not new.scheme_units.exclude(deduction_text="").exists()
        for ind in new.indicators.all():
            values = set(Mark.objects.filter(indicator=ind).values_list("state", "count"))
            expected = ("无", None) if ind.allowed_states == ["无"] else ("*", None)
            assert values == {expected}, ind.title
            assert Mark.objects.filter(indicator=ind).count() == new.scheme_units.count()
    assert Mark.objects.filter(indicator__scheme__year=2020).count() == 12 * 6 + 4 * 6 + 54 * 10


def test_count_column_starts_pending(staff_user):
    start_new_year(2019, staff_user)
    cases = Indicator.objects.get(scheme__year=2020, accepts_count=True)
    assert set(cases.marks.values_list("state", "count")) == {("*", None)}


def test_every_new_mark_has_a_history_entry_saying_new_year(staff_user):
    start_new_year(2019, staff_user)
    entries = Mark.history.filter(indicator__scheme__year=2020)
    assert entries.count() == Mark.objects.filter(indicator__scheme__year=2020).count()
    assert set(entries.values_list("history_change_reason", "history_user", "history_type")) == {
        (HOW.NEW_YEAR, staff_user.pk, "+")
    }


def test_new_marks_change_through_the_usual_service(staff_user):
    start_new_year(2019, staff_user)
    mark = Mark.objects.get(unit__name="发改委", indicator__order=1, indicator__scheme__year=2020)
    saved = set_mark(mark, "√", staff_user, expected_version=1)
    assert (saved.state, saved.version) == ("√", 2)
    with pytest.raises(DomainError):
        set_mark(mark, "无", staff_user)


def test_year_n_stays_as_it_was(staff_user):
    before = year_snapshot(2019)
    start_new_year(2019, staff_user)
    assert year_snapshot(2019) == before
    # Changing the new year does not touch the old one either.
    ind = Indicator.objects.get(scheme__year=2020, scheme__category__slug="towns", order=1)
    ind.title = "新年度的新表头"
    ind.save()
    set_mark(Mark.objects.filter(indicator=ind).first(), "√", staff_user)
    assert year_snapshot(2019) == before


def test_inactive_units_are_left_out(staff_user):
    Unit.objects.filter(name="周庄镇").update(is_active=False)
    start_new_year(2019, staff_user)
    towns = Scheme.objects.get(year=2020, category__slug="towns")
    names = list(towns.scheme_units.values_list("unit__name", flat=True))
    assert "周庄镇" not in names and len(names) == 11
    assert not Mark.objects.filter(indicator__scheme=towns, unit__name="周庄镇").exists()


def test_a_column_without_pending_starts_at_its_first_state(staff_user):
    IndicatorFactory(
        scheme=Scheme.objects.get(year=2019, category__slug="offices"), order=7, allowed_states=["√", "非考核项"]
    )
    start_new_year(2019, staff_user)
    new = Indicator.objects.get(scheme__year=2020, scheme__category__slug="offices", order=7)
    assert set(new.marks.values_list("state", flat=True)) == {"√"}


def test_refused_when_the_next_year_already_has_schemes(staff_user):
    SchemeFactory(year=2020, category=Scheme.objects.get(year=2019, category__slug="towns").category)
    before = Scheme.objects.count(), Indicator.objects.count(), Mark.objects.count()
    with pytest.raises(DomainError, match="2020年度已有考核方案"):
        start_new_year(2019, staff_user)
    assert (Scheme.objects.count(), Indicator.objects.count(), Mark.objects.count()) == before


def test_refused_for_a_year_without_schemes(staff_user):
    with pytest.raises(DomainError, match="2018年还没有考核方案"):
        start_new_year(2018, staff_user)
    assert not Scheme.objects.filter(year__in=[2018, 2019 + 1]).exists()


def test_copy_takes_little_time(staff_user):
    started = time.perf_counter()
    start_new_year(2019, staff_user)
    assert time.perf_counter() - started < 5


# --- the page


def test_confirmation_page_says_what_will_be_copied(role_client):
    Unit.objects.filter(name="周庄镇").update(is_active=False)
    html = role_client("staff").get("/assessment/2019/new-year/").content.decode()
    assert "开始2020年度" in html and "2019年度的数据保持不变" in html
    assert "<td>6</td>\n            <td>8</td>\n            <td>11</td>\n            <td>周庄镇</td>" in html
    assert not Scheme.objects.filter(year=2020).exists()


def test_staff_start_the_next_year_in_one_step(role_client):
    client = role_client("staff")
    response = client.post("/assessment/2019/new-year/")
    assert response.status_code == 302 and response["Location"] == "/assessment/2020/"
    assert Scheme.objects.filter(year=2020).count() == 3
    html = client.get("/assessment/2020/").content.decode()
    assert "已开始2020年度" in html and "2020年度考核进度" in html
    # The current year stays 2019 until a 2020 issue is published (assessment.years.current_year).
    assert client.get("/assessment/")["Location"] == "/assessment/2019/"
    assert client.get("/assessment/2020/departments/").status_code == 200
    # The 2019 page now links to 2020 instead of offering to start it again.
    html = client.get("/assessment/2019/").content.decode()
    assert 'href="/assessment/2019/new-year/"' not in html and "进入2020年度" in html


def test_a_second_start_is_refused_with_a_message(role_client):
    client = role_client("staff")
    client.post("/assessment/2019/new-year/")
    marks = Mark.objects.count()
    response = client.post("/assessment/2019/new-year/")
    assert response["Location"] == "/assessment/2019/"
    assert "2020年度已有考核方案" in str(list(response.wsgi_request._messages)[-1])
    assert Mark.objects.count() == marks and Scheme.objects.filter(year=2020).count() == 3
    assert "不能再次开始" in client.get("/assessment/2019/new-year/").content.decode()


@pytest.mark.parametrize(("role", "status"), [("leader", 403), ("reporter", 404), ("other_reporter", 404)])
def test_only_staff_start_a_year(role_client, role, status):
    client = role_client(role)
    assert client.get("/assessment/2019/new-year/").status_code == status
    assert client.post("/assessment/2019/new-year/").status_code == status
    assert not Scheme.objects.filter(year=2020).exists()


def test_unknown_year_is_404(role_client):
    assert role_client("staff").get("/assessment/2018/new-year/").status_code == 404
    assert role_client("staff").post("/assessment/2018/new-year/").status_code == 404
