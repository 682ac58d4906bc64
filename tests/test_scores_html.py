"""The scores' tables made in Python (assessment.scoring.breakdown): every text escaped, the markup as printed."""

from assessment.models import Indicator, Unit
from assessment.scoring.services import close_year

from .factories import DeductionFactory

RANKING = "/assessment/2019/scores/"


def _record(staff_user, reason, **kwargs):
    unit = Unit.objects.get(name="亭林城市管理办事处")
    indicator = Indicator.objects.get(scheme__year=2019, scheme__category__slug="offices", order=5)
    DeductionFactory(unit=unit, indicator=indicator, count=2, reason=reason, entered_by=staff_user, **kwargs)
    return unit


def test_a_records_reason_is_escaped_on_the_ranking_and_the_unit_page(role_client, staff_user):
    unit = _record(staff_user, "<b>两次</b> & 未完成")
    _record(staff_user, "待确认的", confirmed_at=None, confirmed_by=None)
    client = role_client("staff")
    for url in (RANKING, f"{RANKING}{unit.pk}/"):
        html = client.get(url).content.decode()
        assert "<li>2019-06-30 2次 &lt;b&gt;两次&lt;/b&gt; &amp; 未完成（t_staff录入）</li>" in html
        assert (
            '<li>2019-06-30 2次 待确认的（t_staff录入） <span class="status status-pending">待确认</span></li>' in html
        )
        assert "<b>两次</b>" not in html


def test_a_frozen_rankings_rows_and_breakdown(role_client, staff_user):
    unit = _record(staff_user, "两次")
    close_year(2019, staff_user, reason="")
    html = role_client("staff").get(RANKING).content.decode()
    row = html.split(f'<a href="#breakdown-{unit.pk}">亭林城市管理办事处</a></th>')[1].split("</tr>")[0]
    said = "配合推进国家守信激励创新试点项目未完成，扣2分；信用审查未完成，扣2分；诚信专题宣传任务未完成2次，扣1分"
    assert f'<td class="num score-final">5</td>\n                <td class="deduction-col">{said}</td>' in row
    block = html.split(f'id="breakdown-{unit.pk}"')[1].split("</details>")[0]
    assert f'<span class="deduction-text">{said}</span>' in block
    assert f'<p class="unit-link"><a href="/assessment/2019/scores/{unit.pk}/">全部各项</a></p>' in block
    assert '<th scope="col">若今日年终考核扣分</th>' not in block
