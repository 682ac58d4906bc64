"""Properties of the scoring rules for any scheme, any marks and any records (hypothesis).

- a score never leaves [full − sum of caps, full] (the sum of caps: what each item can take at most);
- changing “*” to √ or to an accepted explanation never lowers a score;
- a per-occurrence cap holds for any number of occurrences;
- 非考核项 never changes a score: a column marked 非考核项 scores as if the column were not there.

The scorer is pure (assessment.scoring works on plain data), so these run without the database,
and once more on the demo's real 2019 rules.
"""

import datetime
from dataclasses import replace
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.models import MarkState, RuleKind, Scheme
from assessment.scoring.live import scoring_schemes
from assessment.scoring.rules import Column, Item, Record, Rules, rules_from_scheme
from assessment.scoring.scores import score_unit

STATES = [MarkState.DONE, MarkState.PENDING, MarkState.NOT_ASSESSED, MarkState.EXPLAINED, MarkState.EXPLAINED_FULL]
EXPLAINED = [MarkState.EXPLAINED, MarkState.EXPLAINED_FULL]


def decimals(low, high):
    return st.decimals(min_value=D(low), max_value=D(high), places=2, allow_nan=False, allow_infinity=False)


@st.composite
def column(draw, column_id, kind=None):
    kind = kind or draw(st.sampled_from(list(RuleKind.values)))
    rate = cap = None
    if kind == RuleKind.PER_OCCURRENCE:
        rate, cap = draw(decimals("0.01", "5")), draw(decimals("0", "20"))
    elif kind == RuleKind.DISCRETIONARY:
        cap = draw(decimals("0.01", "20"))
    return Column(
        id=column_id,
        title=f"指标{column_id}",
        kind=kind,
        points=draw(decimals("0", "10")),
        rate=rate,
        cap=cap,
        in_full=draw(st.booleans()),
    )


@st.composite
def rules(draw):
    items, next_id = [], 1
    for position in range(draw(st.integers(1, 7))):
        if draw(st.booleans()):
            col = draw(column(next_id))
            next_id += 1
            items.append(Item(key=f"i{col.id}", columns=(col,), points=col.points if col.in_full else D(0)))
        else:  # a rule group of 2–3 columns of one state kind, with its own points
            kind = draw(st.sampled_from([RuleKind.EARN, RuleKind.LOSE]))
            size = draw(st.integers(2, 3))
            cols = tuple(draw(column(next_id + k, kind)) for k in range(size))
            next_id += size
            items.append(Item(key=f"g{position}", columns=cols, points=draw(decimals("0", "10")), is_group=True))
    return Rules(items=tuple(items), year=2030, category="类别")


@st.composite
def cell(draw, col):
    if col.kind == RuleKind.DISCRETIONARY:
        return draw(st.sampled_from([MarkState.NONE, MarkState.NOT_ASSESSED]))
    options = list(STATES)
    if col.kind == RuleKind.PER_OCCURRENCE:
        options.append(str(draw(st.integers(0, 30))))  # a count, as in 奖惩案例
    return draw(st.sampled_from(options + [""]))  # "" : not entered yet


@st.composite
def record(draw, col):
    if col.kind == RuleKind.PER_OCCURRENCE:
        count, amount = draw(st.integers(1, 10_000)), None
    else:
        count, amount = None, draw(decimals("0.01", str(col.cap)))
    return Record(
        indicator_id=col.id,
        date=datetime.date(2030, 6, 1).isoformat(),
        count=count,
        amount=amount,
        confirmed=draw(st.booleans()),
    )


@st.composite
def situations(draw, rules_strategy=None):
    """(rules, cells, records): a scheme's rules and one unit's marks and records."""
    r = draw(rules() if rules_strategy is None else rules_strategy)
    cells = {c.id: draw(cell(c)) for c in r.columns}
    recordable = [c for c in r.columns if c.kind in (RuleKind.PER_OCCURRENCE, RuleKind.DISCRETIONARY)]
    records = []
    for col in recordable:
        records += draw(st.lists(record(col), max_size=4))
    return r, cells, records


def _score(r, cells, records):
    return score_unit(r, 1, "测试单位", cells, records)


def _scores(s):
    return (s.score, s.year_end_score)


def _check_bounds(r, cells, records):
    s = _score(r, cells, records)
    low, high = r.full_points - r.max_loss, r.full_points
    for value in _scores(s):
        assert low <= value <= high
    assert s.deduction <= s.year_end_deduction  # a pending “*” only ever adds at year end
    assert all(isinstance(v, D) for v in (s.score, s.year_end_score, *(line.deduction for line in s.lines)))


def _check_star_to_done_or_explained(r, cells, records, data):
    stars = [cid for cid, text in cells.items() if text == MarkState.PENDING]
    if not stars:
        return
    target = data.draw(st.sampled_from(stars))
    before = _score(r, cells, records)
    for new in [MarkState.DONE, *EXPLAINED]:
        after = _score(r, {**cells, target: new}, records)
        assert after.score >= before.score
        assert after.year_end_score >= before.year_end_score


def _without_column(r, column_id):
    items = []
    for item in r.items:
        cols = tuple(c for c in item.columns if c.id != column_id)
        if cols:
            items.append(replace(item, columns=cols))
    return replace(r, items=tuple(items))


def _check_not_assessed(r, cells, records, data):
    target = data.draw(st.sampled_from([c.id for c in r.columns]))
    marked = _score(r, {**cells, target: MarkState.NOT_ASSESSED}, records)
    absent = _score(_without_column(r, target), cells, [x for x in records if x.indicator_id != target])
    assert (marked.deduction, marked.year_end_deduction) == (absent.deduction, absent.year_end_deduction)
    assert marked.full_points == r.full_points  # the column's points are kept, not taken away


@settings(max_examples=200, deadline=None)
@given(situations())
def test_a_score_never_leaves_full_minus_caps_to_full(situation):
    _check_bounds(*situation)


@settings(max_examples=200, deadline=None)
@given(situations(), st.data())
def test_star_to_done_or_explained_never_lowers_a_score(situation, data):
    _check_star_to_done_or_explained(*situation, data)


@settings(max_examples=200, deadline=None)
@given(situations(), st.data())
def test_not_assessed_never_changes_a_score(situation, data):
    _check_not_assessed(*situation, data)


@settings(max_examples=200, deadline=None)
@given(column(1, RuleKind.PER_OCCURRENCE), st.lists(st.integers(1, 1_000_000), min_size=1, max_size=6), st.data())
def test_caps_hold_for_any_number_of_occurrences(col, counts, data):
    r = Rules(items=(Item(key="i1", columns=(col,), points=col.points),))
    text = data.draw(st.sampled_from([MarkState.DONE, MarkState.PENDING, "3"]))
    records = [Record(indicator_id=1, date="2030-01-01", count=n) for n in counts]
    line = _score(r, {1: text}, records).lines[0]
    assert line.deduction == line.year_end_deduction == min(col.cap, col.rate * sum(counts))
    assert line.deduction <= col.cap


def test_the_same_properties_hold_on_the_demo_rules(db):
    """The demo's real 2019 rules (groups, caps, the departments' in-full event column), random marks."""
    demo = [rules_from_scheme(s) for s in scoring_schemes(Scheme.objects.filter(year=2019))]
    assert {r.category: r.full_points for r in demo} == {"区镇": D("2"), "城市管理办事处": D("10"), "部门": D("1.8")}

    @settings(max_examples=100, deadline=None)
    @given(situations(st.sampled_from(demo)), st.data())
    def check(situation, data):
        _check_bounds(*situation)
        _check_star_to_done_or_explained(*situation, data)
        _check_not_assessed(*situation, data)

    check()
