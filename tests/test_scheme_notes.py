"""The office keeps the notes (说明) under each year's table on the scheme page (/office/schemes/…): add, edit
the text and the columns a note speaks of (checkboxes), move up and down, remove after confirming; the
numbers stay 1..n; scripts, a closed year and a note a rule scores under are refused in Chinese with nothing
half-written; every change in the audit log; a draft issue's preview prints the edited note, a published
issue keeps its own."""

import re

import pytest

from assessment.directory import notes as note_services
from assessment.models import Indicator, Note, Scheme
from assessment.scoring.services import close_year
from core.audit.actions import AuditAction
from core.audit.models import AuditEntry, AuditResult
from core.errors import DomainError

from .conftest import MENU_TODO_QUERIES, log_in

SCHEME = "/office/schemes/2019/towns/"


@pytest.fixture
def office(client, staff_user):
    log_in(client, staff_user)
    return client


def _scheme(slug="towns"):
    return Scheme.objects.get(year=2019, category__slug=slug)


def _numbers(scheme):
    return list(scheme.notes.order_by("number").values_list("number", flat=True))


def _texts(scheme):
    return list(scheme.notes.order_by("number").values_list("text", flat=True))


def _note(number, slug="towns"):
    return Note.objects.get(scheme=_scheme(slug), number=number)


def _entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_the_page_lists_the_notes_in_order_with_their_columns(office, django_assert_max_num_queries):
    scheme = _scheme()
    for text in ("新增说明甲。", "新增说明乙。", "新增说明丙。"):  # more notes, no more queries
        Note.objects.create(scheme=scheme, number=scheme.notes.count() + 1, text=text)
    # 12 for the page, whatever the number of notes, columns and units, and the menu's 待办 count
    with django_assert_max_num_queries(12 + MENU_TODO_QUERIES["staff"]):
        response = office.get(SCHEME)
    html = response.content.decode()
    notes = list(scheme.notes.order_by("number"))
    positions = [html.index(f'<li value="{n.number}">') for n in notes]
    assert positions == sorted(positions) and len(notes) == 11
    first = _note(1)
    column = first.indicators.get()
    assert f"涉及指标：{column.order}. {column.title}" in html
    assert f'href="/office/notes/{first.pk}/edit/"' in html and f'href="/office/notes/{first.pk}/remove/"' in html
    assert "已发布的期刊在发布时已存档，保持发布时的说明不变" in html


def test_add_a_note_speaking_of_two_columns(office, staff_user):
    scheme = _scheme()
    page = office.get(f"{SCHEME}notes/new/").content.decode()
    # The table's own columns as checkboxes, and none of another table's.
    assert page.count('type="checkbox" name="indicators"') == scheme.indicators.count()
    other = Indicator.objects.filter(scheme__year=2019, scheme__category__slug="departments").first()
    assert f'value="{other.pk}"' not in page
    first, second = scheme.indicators.order_by("order")[:2]
    response = office.post(
        f"{SCHEME}notes/new/", {"text": "  新的说明，\n第二段。 ", "indicators": [second.pk, first.pk]}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    note = scheme.notes.order_by("-number").first()
    assert (note.number, note.text) == (9, "新的说明，\n第二段。")
    assert set(note.indicators.all()) == {first, second}
    assert _numbers(scheme) == list(range(1, 10))
    (entry,) = _entries(AuditAction.NOTE_CREATE)
    assert entry.actor == staff_user and entry.object_text == "2019年 区镇 说明9"
    assert f"涉及指标：{first.title}、{second.title}" in entry.detail
    html = office.get(SCHEME).content.decode()
    assert "新的说明，<br>第二段。" in html


def test_edit_the_text_and_the_columns_audited(office):
    note, scheme = _note(2), _scheme()
    old_column = note.indicators.get()
    new_column = scheme.indicators.get(order=5)
    page = office.get(f"/office/notes/{note.pk}/edit/").content.decode()
    ticked = re.findall(r'<input type="checkbox" name="indicators" value="(\d+)"[^>]* checked', page)
    assert ticked == [str(old_column.pk)]
    response = office.post(f"/office/notes/{note.pk}/edit/", {"text": "改过的说明。", "indicators": [new_column.pk]})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.text == "改过的说明。" and list(note.indicators.all()) == [new_column] and note.number == 2
    (entry,) = _entries(AuditAction.NOTE_CHANGE)
    assert "内容：" in entry.detail and "→ 改过的说明。" in entry.detail
    assert f"涉及指标：{old_column.title} → {new_column.title}" in entry.detail


def test_scripts_and_empty_text_are_refused_beside_the_field_and_nothing_changes(office):
    scheme, note = _scheme(), _note(1)
    before, count = _texts(scheme), Note.objects.count()
    for text, message in (
        ('<script>alert("x")</script>说明', "内容中含有脚本或网页代码，请删除后重新提交。"),
        ('<img src=x onerror="alert(1)">', "内容中含有脚本或网页代码，请删除后重新提交。"),
        ("   ", "该字段是必填项"),
        ("<p></p>", "说明内容不能为空。"),
    ):
        response = office.post(f"{SCHEME}notes/new/", {"text": text})
        assert response.status_code == 400 and message in response.content.decode(), text
        response = office.post(f"/office/notes/{note.pk}/edit/", {"text": text})
        assert response.status_code == 400 and message in response.content.decode(), text
    assert (_texts(scheme), Note.objects.count()) == (before, count)
    # Pasted markup without a script is kept as plain text.
    office.post(f"/office/notes/{note.pk}/edit/", {"text": "<p>第一段</p><p>第二段 <b>加粗</b></p>"})
    note.refresh_from_db()
    assert note.text == "第一段\n第二段 加粗"


def test_a_column_of_another_table_is_refused_and_nothing_is_written(office, staff_user):
    scheme, note = _scheme(), _note(1)
    foreign = Indicator.objects.filter(scheme__year=2019, scheme__category__slug="departments").first()
    count = Note.objects.count()
    response = office.post(f"{SCHEME}notes/new/", {"text": "说明", "indicators": [foreign.pk]})
    assert response.status_code == 400 and "选择一个有效的选项" in response.content.decode()
    # The service refuses it too, past the form (the model's rule, Note.check_indicators).
    with pytest.raises(DomainError, match="不是2019年 区镇的考核指标"):
        note_services.create_note(Note(scheme=scheme, text="说明"), [foreign], staff_user)
    with pytest.raises(DomainError, match="不是2019年 区镇的考核指标"):
        note_services.update_note(Note.objects.get(pk=note.pk), [foreign], staff_user)
    assert Note.objects.count() == count and foreign not in note.indicators.all()
    assert [e.result for e in _entries(AuditAction.NOTE_CREATE)] == [AuditResult.FAILED]


def test_move_a_note_down_and_up(office):
    scheme = _scheme()
    first, second = _note(1), _note(2)
    texts = _texts(scheme)
    response = office.post(f"/office/notes/{first.pk}/move/", {"step": "down"}, follow=True)
    assert "这条说明现在是说明2。" in response.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.number, second.number) == (2, 1) and _numbers(scheme) == list(range(1, 9))
    assert _texts(scheme) == [texts[1], texts[0], *texts[2:]]
    (entry,) = _entries(AuditAction.NOTE_CHANGE)
    assert entry.detail == "序号：1 → 2（与原说明2交换）"
    response = office.post(f"/office/notes/{second.pk}/move/", {"step": "up"}, follow=True)
    assert "说明1已经是第一条。" in response.content.decode()
    last = _note(8)
    response = office.post(f"/office/notes/{last.pk}/move/", {"step": "down"}, follow=True)
    assert "说明8已经是最后一条。" in response.content.decode()
    assert _numbers(scheme) == list(range(1, 9))


def test_remove_after_confirming_and_the_later_notes_move_up(office):
    scheme = _scheme()
    texts = _texts(scheme)
    third = _note(3)
    page = office.get(f"/office/notes/{third.pk}/remove/").content.decode()
    assert "确认删除说明" in page and "其后各条说明的序号前移一位" in page
    assert Note.objects.filter(pk=third.pk).exists()  # the GET only asks
    response = office.post(f"/office/notes/{third.pk}/remove/")
    assert response.status_code == 302 and not Note.objects.filter(pk=third.pk).exists()
    assert _numbers(scheme) == list(range(1, 8)) and _texts(scheme) == texts[:2] + texts[3:]
    assert _note(3).text == texts[3]
    (entry,) = _entries(AuditAction.NOTE_DELETE)
    assert entry.result == AuditResult.OK and entry.detail.startswith("删除说明3：")


def test_removal_closes_gaps_left_by_an_import(office, staff_user):
    """Numbers with gaps (an older import) come out as 1..n after a removal."""
    scheme = _scheme("offices")
    for note in scheme.notes.order_by("-number"):
        note.number = note.number * 2  # 2, 4, 6, …, from the highest down so no two collide
        note.save(update_fields=["number"])
    note_services.remove_note(scheme.notes.get(number=4), staff_user)
    assert _numbers(scheme) == list(range(1, 8))


def test_a_note_a_rule_scores_under_is_kept(office):
    note = _note(1, "departments")
    assert note.rule_groups.exists()
    page = office.get(f"/office/notes/{note.pk}/remove/").content.decode()
    assert "说明1是合并计分规则（0.3分）的依据，不能删除" in page and "确认删除说明" not in page
    response = office.post(f"/office/notes/{note.pk}/remove/", follow=True)
    assert "不能删除" in response.content.decode()
    assert Note.objects.filter(pk=note.pk).exists()
    assert _numbers(_scheme("departments")) == list(range(1, 11))
    assert _entries(AuditAction.NOTE_DELETE)[-1].result == AuditResult.FAILED


def test_a_closed_year_refuses_every_change(office, staff_user):
    close_year(2019, staff_user)
    scheme, note = _scheme(), _note(2)
    texts = _texts(scheme)
    page = office.get(SCHEME).content.decode()
    assert f"/office/notes/{note.pk}/edit/" not in page and "新增说明" not in page
    response = office.post(f"/office/notes/{note.pk}/edit/", {"text": "改过的说明。"})
    assert response.status_code == 400 and "考核数据已锁定" in response.content.decode()
    response = office.post(f"{SCHEME}notes/new/", {"text": "新的说明。"})
    assert response.status_code == 400 and "考核数据已锁定" in response.content.decode()
    response = office.post(f"/office/notes/{note.pk}/move/", {"step": "up"}, follow=True)
    assert "考核数据已锁定" in response.content.decode()
    assert "考核数据已锁定，不能删除说明" in office.get(f"/office/notes/{note.pk}/remove/").content.decode()
    response = office.post(f"/office/notes/{note.pk}/remove/", follow=True)
    assert "考核数据已锁定" in response.content.decode()
    assert _texts(scheme) == texts and _numbers(scheme) == list(range(1, 9))
    with pytest.raises(DomainError, match="考核数据已锁定"):
        note_services.update_note(Note.objects.get(pk=note.pk), [], staff_user)


def test_a_drafts_preview_prints_the_edited_note_the_published_issue_keeps_its_own(office):
    note = _note(2)
    old = note.text
    response = office.post("/bulletins/new/", {"year": 2019, "number": 12, "date": "2019-12-20", "with_tables": "on"})
    assert response.status_code == 302
    office.post(f"/office/notes/{note.pk}/edit/", {"text": "本期起改写的说明。"})
    preview = office.get("/bulletins/2019/12/preview/").content.decode()
    assert "本期起改写的说明。" in preview and old not in preview
    published = office.get("/bulletins/2019/11/").content.decode()
    assert old in published and "本期起改写的说明。" not in published
