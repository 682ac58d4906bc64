"""A whole year with a fixed clock: 2019 played month by month, closed, reopened, closed again, 2020 made both
ways and its 第1期 published; after every step every consumer shows the same thing (`agree`, tests/consumers.py).

The clock is the portal's today (`assessment.due.today`, the `on_day` fixture). The year starts from the demo:
its units, schemes, marks and offline case records (each department's printed number N is a record
“2019年前三季度报送 N 例”, quarters 1–3). The demo's 第11期 is the year's November issue; the office composes
the other eleven through the services and the pages, one a month, and publishes a correction of 第11期 in
November so that it prints the year's figures.

The events, few and clear (cases are due every quarter, one a quarter, note 6):
  Feb  政法委 (cases *): a case of 2019-02-15 accepted (Q1).
  Mar  妇联 (cases *): an offline record of the first quarter, 1 case.
  May  统计局 (cases *, 宣传 *): its reporter submits a case of 2019-05-20 (Q2), the office accepts it; the reporter
       asks for 诚信专题宣传任务 to be marked done (a request), the office accepts: 宣传 √.
  Jun  总工会 (cases *): an offline record of the second quarter, 1 case.
  Jul  an import: the year's progress workbook downloaded, 财政局's 配合推进国家守信激励创新试点项目 * → √, imported.
  Aug  供电公司 (cases *): a case of 2019-08-10 accepted (Q3).
  Sep  编办 (cases *): an offline record “前三季度报送 3 例” (quarters 1–3).
  Nov  商务局 (cases *): a case of 2019-11-05 accepted (Q4).
  Dec  科技局 (前三季度 13): an offline record of the fourth quarter, 1 case.
  2020-01-10 the year-end close (第1版); 01-12 reopened: 残联's 宣传 * → √; 01-14 closed again (第2版).

The year-end scores of the 部门 table, worked out by hand from the notes (full 1.8; note 1: the first two columns
together 0.3; note 3: 信用承诺 and 信用审查/报告 together 0.2; a * left in a per-occurrence column counts once:
feedback 0.01, 宣传 0.05; note 6: 0.05 per quarter without a case, the records filling only the quarters they
cover; the demo's starting table is worked out in tests/test_scoring_demo.py):
  - 23 departments with a 前三季度 record of N ≥ 3 and nothing else: only the fourth quarter short, 1.75;
    科技局 is one of them but its fourth-quarter record fills it: 1.80.
  - 编办: its 前三季度 record of 3 fills quarters 1–3, the fourth is short: 1.8 − 0.05 = 1.75.
  - 人民法院, 气象局 (2 cases, 前三季度): quarters 3 and 4 short: 1.70.
  - 教育局, 城管局, 卫健委, 信访局 (1 case, 前三季度): 1.65.
  - one case or record in one quarter, three quarters short (0.15): 政法委 (Q1), 妇联 (Q1), 总工会 (Q2),
    供电公司 (Q3), 商务局 (Q4): 1.65; 统计局 (Q2; its 宣传 √ since May): 1.65.
  - cases * all year (0.20): 统战部, 人民检察院, 生态环境局, 大数据资源管理中心, 供销合作总社: 1.60.
  - 残联: cases * (0.20) and 宣传 * (0.05): 1.55 in 第1版; 宣传 √ in 第2版: 1.60.
  - 团市委, 昆山海关: note 3 0.2 + feedback 0.01 + 宣传 0.05 + the fourth quarter 0.05: 1.49.
  - 财政局: note 1 done since the import (its 试点项目 √), feedback 0.01 + 宣传 0.05 + the fourth quarter 0.05: 1.69.
  - 人武部, 银保监管组, 安全局, 昆山盐业公司: note 3 0.2 + feedback 0.01 + 宣传 0.05 + cases * 0.20: 1.34.
  - 烟草专卖局: note 1 0.3 + note 3 0.2 + 宣传 0.05 (feedback and cases 非考核项): 1.25.
  - 住建局, 行政审批局 (a case of their own in the fourth quarter), 机关事务管理中心, 昆山公积金中心: 1.80.

The table (第2版; 第1版 differs only in 残联, 1.55):
  1.80 住建局 行政审批局 机关事务管理中心 昆山公积金中心 科技局
  1.75 组织部 宣传部 (文明办、网信办) 金融办 发改委 工业和信息化局 公安局 民政局 司法局 人社局 资源规划局 交通运输局
  1.75 水务局 农业农村局 文体广旅局 应急管理局 审计局 市场监管局 医保局 工商联 人民银行昆山支行 税务局 消防大队 编办
  1.70 人民法院 气象局
  1.69 财政局
  1.65 教育局 城管局 卫健委 信访局 政法委 妇联 总工会 供电公司 商务局 统计局
  1.60 统战部 人民检察院 生态环境局 大数据资源管理中心 供销合作总社 残联
  1.49 团市委 昆山海关
  1.34 人武部 银保监管组 安全局 昆山盐业公司
  1.25 烟草专卖局
"""

import datetime
import io
import re
import shutil
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from openpyxl import load_workbook

from assessment import access
from assessment.mark_requests.services import accept_request, submit_request
from assessment.marks.services import HOW, set_mark, start_new_year
from assessment.models import ImportSession, Mark, Reporter, Scheme, Unit
from assessment.scoring.services import close_year, reopen_year
from bulletins import services as bulletins
from bulletins.models import Issue
from cases import count_records
from cases import services as cases

from .consumers import agree, department_scores
from .factories import UserFactory
from .test_scheme_year_both_ways import year_of

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")

CATEGORIES = {"towns": "区镇", "offices": "城市管理办事处", "departments": "部门"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
PRINTED_NAMES = {"宣传部 (文明办、网信办)"}  # a name with a space: the docstring's lines split on spaces


def hand_table(version=2):
    """{department: score} from the table in this module's docstring."""
    table = {}
    for line in __doc__.split("The table (第2版")[1].splitlines()[1:]:
        match = re.fullmatch(r"\s+(\d\.\d\d) (.+)", line)
        if not match:
            continue
        rest = match[2]
        for name in PRINTED_NAMES:
            if name in rest:
                table[name] = D(match[1])
                rest = rest.replace(name, "")
        table |= {name: D(match[1]) for name in rest.split()}
    if version == 1:
        table["残联"] = D("1.55")
    return table


# --- the office's and the units' work


def _at(day):
    return datetime.datetime.combine(day, datetime.time(9), tzinfo=SHANGHAI)


def _publish(on_day, staff_user, number, day, news):
    """Compose 2019 第`number`期 on `day` as the office does (tables of the year, a news item) and publish it."""
    on_day(day)
    issue = bulletins.create_issue(year=day.year, number=number, date=day)
    bulletins.add_news(issue, date=day, text=f"{day.month}月{day.day}日，{news}。")
    bulletins.publish_issue(issue, staff_user, published_at=_at(day))
    issue.refresh_from_db()
    return issue


def _accept_case(staff_user, unit_name, event_date):
    unit = Unit.objects.get(name=unit_name)
    data = {"kind": "reward", "title": f"{unit_name}守信激励案例", "body": "正文。", "subject": "某企业"}
    case = cases.create_case(staff_user, data | {"event_date": event_date, "source_unit": unit}, submit=True)
    cases.accept_case(case, staff_user)
    return case


def _record(staff_user, unit_name, day, count, quarters, words):
    unit = Unit.objects.get(name=unit_name)
    note = f"2019年{words}报送 {count} 例"
    return count_records.add_count_record(
        staff_user, unit=unit, year=2019, date=day, count=count, note=note, quarters=quarters
    )


def _reporter_of(unit_name):
    user = UserFactory(username="t_tongjiju")
    user.groups.add(Group.objects.get(name=access.REPORTER_GROUP))
    Reporter.objects.create(user=user, unit=Unit.objects.get(name=unit_name))
    return user


def _mark(unit_name, order, year=2019):
    return Mark.objects.select_related("indicator__scheme", "unit").get(
        unit__name=unit_name, indicator__scheme__year=year, indicator__order=order
    )


def _import(client, unit_name, column, value):
    """The year's progress workbook downloaded, one cell edited, imported back and confirmed."""
    wb = load_workbook(io.BytesIO(b"".join(client.get("/assessment/2019/progress.xlsx").streaming_content)))
    ws = wb["部门"]
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == unit_name)
    ws.cell(row, column).value = value
    out = io.BytesIO()
    wb.save(out)
    response = client.post("/assessment/2019/import/", {"file": SimpleUploadedFile("进度.xlsx", out.getvalue())})
    session = ImportSession.objects.get(token=response["Location"].rstrip("/").split("/")[-1])
    assert session.errors == [] and len(session.changes) == 1
    assert client.post(f"/assessment/import/{session.token}/confirm/").status_code == 302


def _import_schemes_2020(client):
    response = client.get("/assessment/2019/schemes.xlsx")
    content = b"".join(response.streaming_content)
    response = client.post("/assessment/2020/import/schemes/", {"file": SimpleUploadedFile("方案.xlsx", content)})
    assert response.status_code == 302
    session = ImportSession.objects.get(token=response["Location"].rstrip("/").split("/")[-1])
    assert session.errors == []
    client.post(f"/assessment/import/{session.token}/confirm/")
    session.refresh_from_db()
    assert session.status == ImportSession.Status.DONE, session.message


CASES, PUBLICITY, PILOT = 8, 9, 2  # the 部门 columns the events touch (by order)


def test_a_year_played_month_by_month(role_client, api_client, staff_user, on_day, tmp_path, media_root):
    client = role_client("staff")
    api = api_client("staff")

    # January: 第1期; the year as the demo holds it.
    issue = _publish(on_day, staff_user, 1, datetime.date(2019, 1, 22), "市信用办部署2019年信用体系建设工作")
    assert agree(client, api, "财政局", issue=issue)["财政局"]["cells"][PILOT - 1] == "*"

    # February: 政法委's first case (Q1).
    on_day(datetime.date(2019, 2, 15))
    _accept_case(staff_user, "政法委", datetime.date(2019, 2, 15))
    issue = _publish(on_day, staff_user, 2, datetime.date(2019, 2, 26), "市信用办召开联络员会议")
    assert agree(client, api, "政法委", issue=issue)["政法委"]["cells"][CASES - 1] == "1"

    # March: 妇联's offline record of the first quarter.
    _record(staff_user, "妇联", datetime.date(2019, 3, 20), 1, (1, 1), "一季度")
    issue = _publish(on_day, staff_user, 3, datetime.date(2019, 3, 26), "一季度信用工作推进会召开")
    assert agree(client, api, "妇联", issue=issue)["妇联"]["cells"][CASES - 1] == "1"

    # April: nothing but the issue.
    issue = _publish(on_day, staff_user, 4, datetime.date(2019, 4, 25), "信用承诺工作培训举行")
    agree(client, api, "统计局", "昆山开发区", "震川城市管理办事处", issue=issue)

    # May: 统计局's reporter submits a case and asks for 宣传 to be marked done; the office accepts both.
    on_day(datetime.date(2019, 5, 20))
    reporter = _reporter_of("统计局")
    data = {"kind": "reward", "title": "统计诚信企业", "body": "正文。", "subject": "某企业"}
    case = cases.create_case(reporter, data | {"event_date": datetime.date(2019, 5, 20)}, submit=True)
    cases.accept_case(case, staff_user)
    request = submit_request(_mark("统计局", PUBLICITY), reporter, "done", "已完成诚信专题宣传，见附件。")
    accept_request(request, staff_user)
    issue = _publish(on_day, staff_user, 5, datetime.date(2019, 5, 28), "统计局开展诚信宣传")
    assert agree(client, api, "统计局", issue=issue)["统计局"]["cells"][CASES - 1 : PUBLICITY] == ("1", "√")

    # June: 总工会's offline record of the second quarter.
    _record(staff_user, "总工会", datetime.date(2019, 6, 28), 1, (2, 2), "二季度")
    issue = _publish(on_day, staff_user, 6, datetime.date(2019, 6, 28), "二季度信用工作推进会召开")
    assert agree(client, api, "总工会", issue=issue)["总工会"]["cells"][CASES - 1] == "1"

    # July: the progress workbook edited and imported back.
    on_day(datetime.date(2019, 7, 10))
    _import(client, "财政局", PILOT + 1, "√")
    issue = _publish(on_day, staff_user, 7, datetime.date(2019, 7, 25), "财政局完成试点项目")
    assert agree(client, api, "财政局", issue=issue)["财政局"]["cells"][PILOT - 1] == "√"

    # August: 供电公司's case (Q3).
    on_day(datetime.date(2019, 8, 10))
    _accept_case(staff_user, "供电公司", datetime.date(2019, 8, 10))
    issue = _publish(on_day, staff_user, 8, datetime.date(2019, 8, 27), "信用修复培训举行")
    assert agree(client, api, "供电公司", issue=issue)["供电公司"]["cells"][CASES - 1] == "1"

    # September: 编办's offline record covering 前三季度.
    _record(staff_user, "编办", datetime.date(2019, 9, 26), 3, (1, 3), "前三季度")
    issue = _publish(on_day, staff_user, 9, datetime.date(2019, 9, 27), "三季度信用工作推进会召开")
    assert agree(client, api, "编办", issue=issue)["编办"]["cells"][CASES - 1] == "3"

    # October: the issue only.
    issue = _publish(on_day, staff_user, 10, datetime.date(2019, 10, 25), "信用监测工作部署")
    agree(client, api, "科技局", issue=issue)

    # November: 商务局's case (Q4); the demo's 第11期 corrected so that it prints the year's figures.
    on_day(datetime.date(2019, 11, 5))
    _accept_case(staff_user, "商务局", datetime.date(2019, 11, 5))
    on_day(datetime.date(2019, 11, 26))
    eleven = Issue.objects.get(year=2019, number=11)
    bulletins.publish_issue(eleven, staff_user, reason="按当前完成情况更正", keep_tables=False)
    shown = agree(client, api, "商务局", "统计局", "财政局", "编办", "妇联", issue=eleven)
    assert shown["商务局"]["cells"][CASES - 1] == "1" and shown["财政局"]["cells"][PILOT - 1] == "√"

    # December: 科技局's fourth quarter recorded; 第12期 proposed from the date and published (PDF read).
    _record(staff_user, "科技局", datetime.date(2019, 12, 20), 1, (4, 4), "四季度")
    on_day(datetime.date(2019, 12, 25))
    assert bulletins.propose_next() == (2019, 12, datetime.date(2019, 12, 25))
    december = _publish(on_day, staff_user, 12, datetime.date(2019, 12, 25), "年终考核工作部署")
    shown = agree(client, api, "科技局", "财政局", issue=december, pdf_dir=tmp_path)
    assert shown["科技局"]["cells"][CASES - 1] == "14" and shown["科技局"]["table_text"] == ""
    published = Issue.objects.filter(year=2019, current_version__isnull=False)
    assert sorted(i.number for i in published) == list(range(1, 13))

    # 2020-01-10: the year-end close (第1版); 第12期 corrected to print 扣分情况.
    on_day(datetime.date(2020, 1, 10))
    assert bulletins.propose_next() == (2020, 1, datetime.date(2020, 1, 10))
    close_year(2019, staff_user, reason="2019年度年终考核")
    assert department_scores(client, api) == hand_table(version=1)
    bulletins.publish_issue(december, staff_user, reason="年终考核后印发扣分情况", keep_tables=False)
    touched = ("科技局", "财政局", "残联", "统计局", "编办", "商务局", "住建局", "昆山开发区", "震川城市管理办事处")
    for name, unit in agree(client, api, *touched, issue=december).items():
        assert unit["table_text"] == unit["text"] and bool(unit["text"]) == (unit["score"] < unit["full"]), name
    assert shown_text(client, api, "残联").endswith("诚信专题宣传任务未完成1次，扣0.05分")

    # 01-12: reopened for a correction (残联's 宣传), 01-14 closed again (第2版).
    on_day(datetime.date(2020, 1, 12))
    reopen_year(2019, staff_user, reason="残联补交诚信专题宣传材料")
    assert "重新开放" in client.get("/assessment/2019/scores/").content.decode()
    mark = _mark("残联", PUBLICITY)
    set_mark(mark, "√", staff_user, expected_version=mark.version, how=HOW.GRID)
    agree(client, api, "残联")
    on_day(datetime.date(2020, 1, 14))
    close_year(2019, staff_user, reason="更正残联的宣传任务后再次考核")
    assert department_scores(client, api) == hand_table(version=2)
    bulletins.publish_issue(december, staff_user, reason="再次考核后更正扣分情况", keep_tables=False)
    shown = agree(client, api, "残联", "财政局", issue=december, pdf_dir=tmp_path)["残联"]
    assert (shown["score"], shown["cells"][PUBLICITY - 1]) == (D("1.6"), "√")
    assert "宣传" not in shown["text"] and shown["table_text"] == shown["text"] != ""

    # 2020 made both ways: the scheme workbook round trip (rolled back), then 开始新年度; the same year.
    with transaction.atomic():
        _import_schemes_2020(client)
        imported = year_of(2020)
        transaction.set_rollback(True)
    assert not Scheme.objects.filter(year=2020).exists()
    start_new_year(2019, staff_user)
    started = year_of(2020)
    assert started.keys() == imported.keys()
    for part, rows in started.items():
        assert imported[part] == rows, part

    # 2020-01-20: 2020 第1期, proposed from the date, compared with 2019 第12期 (PDF read).
    on_day(datetime.date(2020, 1, 20))
    assert bulletins.propose_next() == (2020, 1, datetime.date(2020, 1, 20))
    first = _publish(on_day, staff_user, 1, datetime.date(2020, 1, 20), "市信用办部署2020年信用体系建设工作")
    page = client.get("/bulletins/2020/1/").content.decode()
    assert "本年度第一期，与上年度最后一期2019年第12期" in page and "相比：。" not in page
    for name, unit in agree(client, api, "残联", "财政局", year=2020, issue=first, pdf_dir=tmp_path).items():
        assert unit["text"] == "" and unit["score"] == D("1.8") and unit["cells"][PUBLICITY - 1] == "*", name
    # 2019 stays as closed (第2版) when 2020 has begun.
    assert department_scores(client, api) == hand_table(version=2)
    agree(client, api, "残联", issue=december)


def shown_text(client, api, unit_name):
    return agree(client, api, unit_name)[unit_name]["text"]
