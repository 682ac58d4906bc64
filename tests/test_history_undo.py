"""History one click away (a cell's history, the year's recent changes) and undoing a batch."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.marks.services import HOW, bulk_set_marks, set_mark, undo_batch
from assessment.models import ChangeBatch, Mark

from .factories import UserFactory


def cell(unit, order=2, slug="departments"):
    return Mark.objects.select_related("unit", "indicator").get(
        unit__name=unit, indicator__order=order, indicator__scheme__year=2019, indicator__scheme__category__slug=slug
    )


@pytest.fixture
def colleague(db):
    return UserFactory(username="wang", first_name="王五")


@pytest.fixture
def batch(staff_user):
    """财政局 * → √ and 组织部 非考核项 → √ in the second department column, as one bulk change."""
    marks = [cell("财政局"), cell("组织部")]
    return bulk_set_marks([(m, "√", m.version) for m in marks], staff_user, description="第2列设为√")


def rows_text(html, table_class):
    block = re.search(rf'<table class="data-table {table_class}">(.*?)</table>', html, re.S)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", block, re.S)[1:]
    return [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in rows]


def test_a_cells_history_says_who_when_old_new_and_how(role_client, colleague):
    mark = cell("财政局")
    set_mark(mark, "非考核项", colleague)
    set_mark(mark, "√", colleague, how=HOW.GRID)
    html = role_client("leader").get(f"/assessment/marks/{mark.pk}/history/").content.decode()
    assert "财政局" in html and "配合推进国家守信激励创新试点项目" in html and "当前为“√”" in html
    rows = rows_text(html, "changes")
    assert len(rows) == 3
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 王五 非考核项 → √ 表格录入", rows[0])
    assert rows[1].endswith("王五 * → 非考核项 表格录入")
    assert rows[2].endswith("系统 （新建） → * 演示数据")


def test_the_fragment_for_the_grid_panel_is_just_the_list(role_client):
    mark = cell("财政局")
    html = role_client("staff").get(f"/assessment/marks/{mark.pk}/history/?partial=1").content.decode()
    assert html.lstrip().startswith('<div class="mark-history"') and "<html" not in html
    assert rows_text(html, "changes")[0].endswith("系统 （新建） → * 演示数据")


def test_history_of_a_bulk_entry_links_its_undo(role_client, batch):
    mark = cell("财政局")
    staff_html = role_client("staff").get(f"/assessment/marks/{mark.pk}/history/").content.decode()
    assert f'href="/assessment/batches/{batch.pk}/undo/"' in staff_html
    assert rows_text(staff_html, "changes")[0].endswith(f"t_staff * → √ {HOW.BULK} {HOW.BULK} 撤销…")
    leader_html = role_client("leader").get(f"/assessment/marks/{mark.pk}/history/").content.decode()
    assert "/undo/" not in leader_html
    assert rows_text(leader_html, "changes")[0].endswith(f"t_staff * → √ {HOW.BULK} {HOW.BULK}")


def test_history_follows_the_unit_reach(role_client):
    own, other = cell("发改委"), cell("教育局")
    assert role_client("reporter").get(f"/assessment/marks/{own.pk}/history/").status_code == 200
    assert role_client("reporter").get(f"/assessment/marks/{other.pk}/history/").status_code == 404
    assert role_client("anonymous").get(f"/assessment/marks/{own.pk}/history/").status_code == 302


def test_year_page_shows_recent_changes_and_batches(role_client, batch, colleague):
    set_mark(cell("烟草专卖局"), "已说明", colleague)
    html = role_client("staff").get("/assessment/2019/").content.decode()
    changes = rows_text(html, "changes")
    assert changes[0].endswith("王五 烟草专卖局 配合推进国家守信激励创新试点项目 * → 已说明 表格录入")
    assert any(
        r.endswith(f"组织部 配合推进国家守信激励创新试点项目 非考核项 → √ {HOW.BULK} {HOW.BULK} 撤销…") for r in changes
    )
    assert len(changes) == 3  # the demo's creations are not "changes"
    [b] = rows_text(html, "batches")
    assert f"{HOW.BULK} 第2列设为√ 2 撤销…" in b
    assert f'href="/assessment/batches/{batch.pk}/undo/"' in html
    # each change links its cell's history
    mark = cell("烟草专卖局")
    assert f'<a href="/assessment/marks/{mark.pk}/history/">配合推进国家守信激励创新试点项目</a>' in html
    assert role_client("staff").get(f"/assessment/marks/{mark.pk}/history/").status_code == 200


def test_year_page_changes_stay_at_a_fixed_number_of_queries(role_client, colleague, django_assert_num_queries):
    """The changes and batches are read with their authors, batches, units and columns in a number of queries
    that does not grow with them (each kind asked once when there is any)."""
    client = role_client("staff")
    set_mark(cell("财政局"), "√", colleague)
    other = cell("商务局")
    undo_batch(bulk_set_marks([(other, "√" if other.state != "√" else "*", None)], colleague), colleague)
    client.get("/assessment/2019/")
    with CaptureQueriesContext(connection) as few:
        client.get("/assessment/2019/")
    for unit in ("组织部", "统战部", "政法委", "编办", "人武部", "人民法院", "人民检察院"):
        for order in (2, 3, 4):
            m = cell(unit, order)
            set_mark(m, "√" if m.state != "√" else "*", colleague)
    bulk_set_marks([(cell("烟草专卖局"), "√", None)], colleague)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/assessment/2019/")


def test_undo_confirmation_lists_what_goes_back(role_client, batch):
    html = role_client("staff").get(f"/assessment/batches/{batch.pk}/undo/").content.decode()
    rows = rows_text(html, "undo-changes")
    assert rows == [
        "财政局 配合推进国家守信激励创新试点项目 * → √ *",
        "组织部 配合推进国家守信激励创新试点项目 非考核项 → √ 非考核项",
    ]
    assert "撤销这 2 个单元格的修改" in html


def test_undo_puts_every_cell_back_as_a_new_batch(role_client, batch, staff_user):
    client = role_client("staff")
    response = client.post(f"/assessment/batches/{batch.pk}/undo/")
    assert response.status_code == 302 and response["Location"] == "/assessment/2019/"
    assert (cell("财政局").state, cell("组织部").state) == ("*", "非考核项")
    batch.refresh_from_db()
    assert batch.undone_by == staff_user and batch.undone_at
    undo = ChangeBatch.objects.get(undo_of=batch)
    assert {e.history_change_reason for e in undo.entries.all()} == {HOW.UNDO}
    html = client.get("/assessment/2019/").content.decode()
    assert "已由t_staff于" in html
    # Once undone, the confirmation page has no button and a second POST is refused.
    html = client.get(f"/assessment/batches/{batch.pk}/undo/").content.decode()
    assert "撤销这" not in html and "这批修改已由t_staff于" in html
    response = client.post(f"/assessment/batches/{batch.pk}/undo/")
    assert "已经撤销过了" in [str(m) for m in response.wsgi_request._messages][0]


def test_undo_is_refused_when_a_cell_changed_since(role_client, batch, colleague):
    set_mark(cell("组织部"), "已说明", colleague)
    client = role_client("staff")
    html = client.get(f"/assessment/batches/{batch.pk}/undo/").content.decode()
    assert "之后又被改过" in html
    response = client.post(f"/assessment/batches/{batch.pk}/undo/")
    assert response["Location"] == f"/assessment/batches/{batch.pk}/undo/"
    [text] = [str(m) for m in response.wsgi_request._messages]
    assert "未能撤销" in text and "组织部" in text and "又被改过" in text
    assert (cell("财政局").state, cell("组织部").state) == ("√", "已说明")
    batch.refresh_from_db()
    assert batch.undone_at is None


@pytest.mark.parametrize(("role", "status"), [("leader", 403), ("reporter", 404), ("other_reporter", 404)])
def test_only_staff_undo(role_client, batch, role, status):
    client = role_client(role)
    assert client.get(f"/assessment/batches/{batch.pk}/undo/").status_code == status
    assert client.post(f"/assessment/batches/{batch.pk}/undo/").status_code == status
    assert cell("财政局").state == "√"


def test_grid_lists_its_recent_batches_with_undo(role_client, batch):
    html = role_client("staff").get("/assessment/2019/departments/").content.decode()
    assert "本表最近的批量修改" in html and f'href="/assessment/batches/{batch.pk}/undo/"' in html
    assert "本表最近的批量修改" not in role_client("staff").get("/assessment/2019/towns/").content.decode()


def test_the_undo_page_of_a_grid_bulk_set_counts_its_cells_once(role_client):
    """A bulk set from the grid, then its undo page: “（3 个单元格）” once, not in the description too."""
    client = role_client("staff")
    marks = [cell("财政局"), cell("组织部"), cell("烟草专卖局")]
    indicator = marks[0].indicator
    form = {"indicator": indicator.pk, "value": "√", "scope": "selected", "unit": [m.unit_id for m in marks]}
    html = client.get("/assessment/2019/departments/bulk/", form).content.decode()
    cells = re.findall(r'name="cell" value="([^"]+)"', html)
    client.post("/assessment/2019/departments/bulk/", {"indicator": indicator.pk, "value": "√", "cell": cells})
    batch = ChangeBatch.objects.get(how=HOW.BULK)
    page = client.get(f"/assessment/batches/{batch.pk}/undo/").content.decode()
    assert page.count("个单元格）") == 1 and "（3 个单元格）" in page
    grid = client.get("/assessment/2019/departments/").content.decode()
    assert grid.count("（3 个单元格）") == 1
