"""The demo's scores for the state of 2019 第11期, worked out by hand from the printed marks and notes.

Provisional (during the year): every “*” is pending and the demo has no deduction record, so nothing
is deducted yet: every town stands at 2.0, every office at 10, every department at 1.8 (the printed
扣分情况 column is empty everywhere, as it should be).

Year end (what closing the year today would deduct):

区镇 (full 2.0 = 0.6 + 0.4 + 0.2 + 0.4 + 0.4; the event column, 视情最高扣20分, is outside it):
  the seven towns with 信用审查 * (开发区, 旅游度假区, 张浦, 周市, 陆家, 千灯, 淀山湖) do not earn note 5's
  0.4 → 1.6; the five all-√ towns keep 2.0. Ranking: five share 1st, seven share 6th.

城市管理办事处 (full 10 = 3 + 2 + 1 + 2 + 2): all four are √ * √ * √ → note 2 (2) + note 4 (2) = 4 → 6,
  all four share 1st.

部门 (full 1.8: group note 1 = 0.3, note 2 = 0.1, group note 3 = 0.2, note 4 = 0.1, feedback 0.3,
  cases 0.3, 宣传 0.2, event 0.3). A * in a per-occurrence column with nothing recorded counts once:
  feedback 0.01, 宣传 0.05. The cases column (note 6) is fed from the case records: on the scoring
  date every quarter of 2019 is due, one case a quarter; the printed number N is an offline record
  “前三季度报送 N 例” covering quarters one to three only, so it fills at most those three, earliest first:
  a department owes 0.05 × (3 − N) for them (none from N = 3 on) plus 0.05 for the fourth quarter,
  unless a case of its own was accepted in it (行政审批局 and 住建局, whose printed cases are dated
  the fourth quarter); a printed * owes 0.20; 非考核项 owes nothing (机关事务管理中心, 烟草专卖局,
  昆山公积金中心). These deductions are due now, not pending: the quarters have ended. So the 51
  departments with a case duty:
  - cases * (统战部 政法委 编办 人民检察院 商务局 生态环境局 大数据资源管理中心 供销合作总社 总工会
    妇联 供电公司): 1.8 − 0.20 = 1.60
  - cases 1 (教育局 城管局 卫健委 信访局): 1.8 − 0.15 = 1.65; cases 2 (人民法院 气象局): 1.8 − 0.10 = 1.70
  - cases * and 宣传 * (统计局 残联): 1.8 − 0.25 = 1.55
  - note 3 (信用承诺 and/or 审查 *) 0.2 + feedback 0.01 + 宣传 0.05 + the fourth quarter 0.05, cases 10
    (团市委 昆山海关): 1.49
  - note 3 0.2 + feedback 0.01 + 宣传 0.05 + cases * 0.20 (人武部 银保监管组 安全局 昆山盐业公司): 1.8 − 0.46 = 1.34
  - 财政局: note 1 (试点项目 *) 0.3 + feedback 0.01 + 宣传 0.05 + the fourth quarter 0.05 = 0.41 → 1.39 (5 cases)
  - 烟草专卖局: note 1 0.3 + note 3 0.2 + 宣传 0.05 = 0.55 → 1.25 (its feedback and cases are 非考核项)
  - 23 departments with N ≥ 3 and nothing else: the fourth quarter, 0.05 → 1.75
  - 行政审批局 and 住建局 (a case in the fourth quarter), 机关事务管理中心 and 昆山公积金中心: nothing → 1.8.
  Ranking: 1st ×4, 5th ×23, 28th ×2, 30th ×4, 34th ×11, 45th ×2, 47th ×2, 49th 财政局, 50th ×4, 54th 烟草专卖局.
"""

from decimal import Decimal as D

from assessment.scoring.live import frozen_scores, latest_assessment, year_scores
from assessment.scoring.services import close_year

TOWNS_STAR = ["昆山开发区", "旅游度假区", "张浦镇", "周市镇", "陆家镇", "千灯镇", "淀山湖镇"]
TOWNS_DONE = ["昆山高新区", "花桥经济开发区", "巴城镇", "周庄镇", "锦溪镇"]
OFFICES = ["柏庐城市管理办事处", "亭林城市管理办事处", "青阳城市管理办事处", "震川城市管理办事处"]
CASES_STAR = ["统战部", "政法委", "编办", "人民检察院", "商务局", "生态环境局", "大数据资源管理中心"] + [
    "供销合作总社",
    "总工会",
    "妇联",
    "供电公司",
]
# Printed N ≥ 3 (an offline 前三季度 record) and nothing else to deduct: only the fourth quarter is short.
FOURTH_QUARTER_ONLY = [
    "组织部",
    "宣传部 (文明办、网信办)",
    "金融办",
    "发改委",
    "科技局",
    "工业和信息化局",
    "公安局",
] + [
    "民政局",
    "司法局",
    "人社局",
    "资源规划局",
    "交通运输局",
    "水务局",
    "农业农村局",
    "文体广旅局",
    "应急管理局",
    "审计局",
    "市场监管局",
    "医保局",
    "工商联",
    "人民银行昆山支行",
    "税务局",
    "消防大队",
]
FULL_DEPARTMENTS = ["机关事务管理中心", "住建局", "行政审批局", "昆山公积金中心"]
DEPARTMENTS_YEAR_END = {
    "1.75": FOURTH_QUARTER_ONLY,
    "1.70": ["人民法院", "气象局"],
    "1.65": ["教育局", "城管局", "卫健委", "信访局"],
    "1.60": CASES_STAR,
    "1.55": ["统计局", "残联"],
    "1.49": ["团市委", "昆山海关"],
    "1.39": ["财政局"],
    "1.34": ["人武部", "银保监管组", "安全局", "昆山盐业公司"],
    "1.25": ["烟草专卖局"],
}
DEPARTMENT_RANKS = {
    "1.75": "并列第5名",
    "1.70": "并列第28名",
    "1.65": "并列第30名",
    "1.60": "并列第34名",
    "1.55": "并列第45名",
    "1.49": "并列第47名",
    "1.39": "第49名",
    "1.34": "并列第50名",
    "1.25": "第54名",
}
# Note 6's deduction per department, due now (every quarter of 2019 has ended): 0.05 per missing case.
CASES_NOW = {u: D("0.20") for u in CASES_STAR + ["统计局", "残联", "人武部", "银保监管组", "安全局", "昆山盐业公司"]}
CASES_NOW |= {u: D("0.15") for u in ["教育局", "城管局", "卫健委", "信访局"]} | {
    "人民法院": D("0.10"),
    "气象局": D("0.10"),
}
# N ≥ 3 (前三季度): the fourth quarter only.
CASES_NOW |= {u: D("0.05") for u in FOURTH_QUARTER_ONLY + ["团市委", "昆山海关", "财政局"]}


def _expected_year_end():
    table = {"区镇": {}, "城市管理办事处": {}, "部门": {}}
    table["区镇"].update({u: D("1.6") for u in TOWNS_STAR} | {u: D("2") for u in TOWNS_DONE})
    table["城市管理办事处"].update({u: D("6") for u in OFFICES})
    for score, units in DEPARTMENTS_YEAR_END.items():
        table["部门"].update({u: D(score) for u in units})
    return table


def _table(categories, attr):
    return {c.category: {u.unit_name: getattr(u, attr) for u in c.units} for c in categories}


def test_provisional_only_the_missed_quarters_of_cases_are_deducted_while_stars_are_pending(db):
    categories = year_scores(2019)
    assert [(c.category, c.full_points, len(c.units)) for c in categories] == [
        ("区镇", D("2"), 12),
        ("城市管理办事处", D("10"), 4),
        ("部门", D("1.8"), 54),
    ]
    towns, offices, departments = categories
    for c in (towns, offices):
        assert {u.score for u in c.units} == {c.full_points}
        assert {u.deduction for u in c.units} == {D("0")}
    assert {u.unit_name: u.deduction for u in departments.units if u.deduction} == CASES_NOW
    assert len(CASES_NOW) == 49  # of the 51 departments with a case duty (3 are 非考核项): all but two


def test_year_end_what_closing_the_year_today_would_deduct(db):
    categories = year_scores(2019)
    expected = _expected_year_end()
    departments = expected["部门"]
    computed = _table(categories, "year_end_score")
    assert len(departments) == 50
    departments.update({u: D("1.8") for u in computed["部门"] if u not in departments})
    assert sorted(u for u, score in departments.items() if score == D("1.8")) == sorted(FULL_DEPARTMENTS)
    assert computed == expected
    assert {c.category: sum((u.year_end_deduction for u in c.units), D(0)) for c in categories} == {
        "区镇": D("2.8"),  # 7 × 0.4
        "城市管理办事处": D("16"),  # 4 × (2 + 2)
        # 11×0.20 + 2×0.10 + 4×0.15 + 2×0.25 + 2×0.31 + 4×0.46 + 0.41 + 0.55 + 23×0.05
        "部门": D("8.07"),
    }


def test_year_end_ranking_with_ties(db):
    """Ties share a rank (1, 1, 1, 1, 1, 6, …) and say so; equal scores keep the printed order."""
    ranks = {c.category: {u.unit_name: u.rank_label for u in c.units} for c in year_scores(2019)}
    assert list(ranks["区镇"].items()) == [(u, "并列第1名") for u in TOWNS_DONE] + [
        (u, "并列第6名") for u in TOWNS_STAR
    ]
    assert set(ranks["城市管理办事处"].values()) == {"并列第1名"}
    departments = ranks["部门"]
    for score, label in DEPARTMENT_RANKS.items():
        assert {departments[u] for u in DEPARTMENTS_YEAR_END[score]} == {label}
    listed = {u for units in DEPARTMENTS_YEAR_END.values() for u in units}
    full = [u for u in departments if u not in listed]
    assert sorted(full) == sorted(FULL_DEPARTMENTS) and {departments[u] for u in full} == {"并列第1名"}
    assert list(departments)[-6:] == ["财政局", "人武部", "银保监管组", "安全局", "昆山盐业公司", "烟草专卖局"]


def test_year_end_lines_of_the_lowest_department(db):
    """烟草专卖局: √ * 非考核项 * * 非考核项 非考核项 非考核项 * 无."""
    score = {u.unit_name: u for c in year_scores(2019) for u in c.units}["烟草专卖局"]
    assert [(line.note_number, line.year_end_deduction) for line in score.deduction_lines] == [
        (1, D("0.3")),
        (3, D("0.2")),
        (7, D("0.05")),
    ]
    assert score.rank_label == "第54名"


def test_closing_the_demo_year_freezes_exactly_that_table(db, staff_user):
    close_year(2019, staff_user)
    frozen = frozen_scores(latest_assessment(2019))
    expected = _expected_year_end()
    computed = _table(frozen, "score")
    expected["部门"].update({u: D("1.8") for u in computed["部门"] if u not in expected["部门"]})
    assert computed == expected
    assert _table(frozen, "deduction")["区镇"]["昆山开发区"] == D("0.4")
