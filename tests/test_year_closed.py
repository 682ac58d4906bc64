"""A closed year reads as closed: a banner says who closed it and when; its cells do not open and bulk set,
import, undo and new requests are not offered (the services refuse them again); once reopened, every page
of the year says so (the scores page included) until the year is closed again."""

import pytest

from assessment.mark_requests.services import check_can_request
from assessment.marks.services import HOW, bulk_set_marks, set_mark
from assessment.models import Mark
from assessment.scoring.services import close_year, reopen_year
from core.errors import DomainError

from .grid_html import parse_grid

GRID = "/assessment/2019/departments/"
YEAR = "/assessment/2019/"
RANKING = "/assessment/2019/scores/"


def _mark(unit, order):
    return Mark.objects.select_related("indicator__scheme", "unit").get(
        unit__name=unit, indicator__scheme__year=2019, indicator__order=order
    )


@pytest.fixture
def batch(staff_user):
    """A bulk change made while 2019 was open (its “撤销” link is what a closed year must not offer)."""
    mark = _mark("财政局", 9)
    return bulk_set_marks([(mark, "√", mark.version)], staff_user, description="财政局 · 宣传 → √")


@pytest.fixture
def closed(staff_user, batch):
    staff_user.first_name = "信用办张三"
    staff_user.save()
    return close_year(2019, staff_user, reason="2019年度年终考核。")


def test_the_closed_grid_shows_who_closed_it_and_offers_no_editing(role_client, closed):
    html = role_client("staff").get(GRID).content.decode()
    assert "2019年度已于" in html and "由信用办张三完成年终考核（第1版）" in html
    assert "说明：2019年度年终考核。" in html and "。。" not in html and "更正原因" not in html
    grid = parse_grid(html)
    assert 'data-editable="1"' not in html and "· 查看（只读）" in html  # grid.js opens no cell
    assert grid.rows and not any(cell.editable for _, cells, _ in grid.rows for cell in cells)
    assert 'id="bulk-form"' not in html and "撤销…" not in html


def test_the_year_page_and_import_page_offer_no_undo_and_no_import(role_client, closed, batch):
    client = role_client("staff")
    year = client.get(YEAR).content.decode()
    assert "完成年终考核（第1版）" in year and "撤销…" not in year
    imports = client.get("/assessment/import/").content.decode()
    assert 'href="/assessment/2019/import/"' not in imports and "已完成年终考核，不能导入" in imports
    response = client.get("/assessment/2019/import/")
    assert response.status_code == 302 and response["Location"] == "/assessment/import/"
    undo = client.get(f"/assessment/batches/{batch.pk}/undo/").content.decode()
    assert "完成年终考核（第1版）" in undo and "撤销这" not in undo


def test_the_services_still_refuse(closed, staff_user, reporter_user, batch):
    from assessment.marks.services import undo_batch

    mark = _mark("财政局", 8)
    with pytest.raises(DomainError, match="考核数据已锁定"):
        set_mark(mark, "√", staff_user, expected_version=mark.version, how=HOW.GRID)
    with pytest.raises(DomainError, match="考核数据已锁定"):
        bulk_set_marks([(mark, "√", mark.version)], staff_user, description="x")
    with pytest.raises(DomainError, match="考核数据已锁定"):
        undo_batch(batch, staff_user)
    pending = Mark.objects.select_related("indicator__scheme").filter(
        unit__name="发改委", indicator__scheme__year=2019, state="*"
    )
    for mark in pending:
        with pytest.raises(DomainError):
            check_can_request(mark, reporter_user, "done")


def test_a_reporter_is_offered_no_request_on_a_closed_year(role_client, closed):
    mark = _mark("发改委", 1)
    page = role_client("reporter").get(f"/units/{mark.unit_id}/").content.decode()
    assert "完成年终考核（第1版）" in page
    assert "/request/" not in page


def test_a_reopened_year_says_so_everywhere_until_closed_again(role_client, closed, staff_user):
    reopen_year(2019, staff_user, reason="更正震川的宣传任务")
    client = role_client("staff")
    for url in (GRID, YEAR, RANKING, "/overview/2019/"):
        html = client.get(url).content.decode()
        assert "重新开放" in html and "原因：更正震川的宣传任务。" in html, url
        assert "结果已固定" not in html, url
    assert 'data-editable="1"' in client.get(GRID).content.decode()
    mark = Mark.objects.select_related("indicator__scheme", "unit").filter(
        unit__name="财政局", indicator__scheme__year=2019, state="*"
    )[0]
    set_mark(mark, "√", staff_user, expected_version=mark.version, how=HOW.GRID)
    close_year(2019, staff_user, reason="更正后再次考核")
    ranking = client.get(RANKING).content.decode()
    assert "第2版" in ranking and "结果已固定" in ranking and "说明：更正后再次考核。" in ranking
    assert "重新开放" not in client.get(GRID).content.decode()
    assert "完成年终考核（第2版）" in client.get("/overview/2019/").content.decode()
