"""The live ranking's pages ranked by the database (assessment.scoring.ranked) show what the whole ranking says.

year_ranking ranks every unit in Python (the ranking the stored-score tests hold equal to live_scores); the page
asks the database for the ranks, the filters and one page of rows. For every page, with and without filters, the
rows shown — name, rank, 并列, totals — must be exactly the slice of year_ranking's order that the filters keep.
"""

import re
from dataclasses import replace
from decimal import Decimal as D

import pytest

from assessment.scoring.lines import UnitScore
from assessment.scoring.live import year_schemes
from assessment.scoring.ranked import RankedRows, section_of
from assessment.scoring.rules import Column, Item, Rules, rules_from_scheme
from assessment.scoring.stored import Lines, make_current, year_ranking

from .test_scoring_pages import RANKING, _multiply_units, _rows

YEAR = 2019


def _expected(category="", query=""):
    """[(slug, name, rank cell)] of year_ranking filtered as the page filters, in page order."""
    return [
        (c.category_slug, u.unit_name, f"并列{u.rank}" if u.tied else str(u.rank), str(u.year_end_score))
        for c in year_ranking(YEAR)
        if category in ("", c.category_slug)
        for u in c.units
        if query.casefold() in u.unit_name.casefold()
    ]


def _shown(client, params):
    """[(slug, name, rank cell)] of every page of the ranking with these filters, and the pager's total."""
    shown, page, total = [], 1, None
    while True:
        html = client.get(RANKING, {**params, "page": page}).content.decode()
        for slug in re.findall(r'<table class="score-table" data-category="(\w+)">', html):
            shown += [(slug, row[1], row[0], row[-1]) for row in _rows(html, slug)]
        total = re.search(r"共 (\d+) 个单位", html)
        if f'page={page + 1}"' not in html:
            return shown, int(total.group(1)) if total else len(shown)
        page += 1


FILTERS = [
    {},
    {"category": "departments"},
    {"category": "towns"},
    {"q": "局"},
    {"q": "#2"},
    {"category": "towns", "q": "区"},
]


@pytest.mark.parametrize("params", FILTERS)
def test_every_page_is_the_slice_of_the_whole_ranking(role_client, params):
    _multiply_units(4)  # 280 units: three pages, ties across the copies
    client = role_client("leader")
    shown, total = _shown(client, params)
    expected = _expected(params.get("category", ""), params.get("q", ""))
    assert len(expected) == total
    assert [(slug, name, rank) for slug, name, rank, _ in shown] == [(s, n, r) for s, n, r, _ in expected]
    assert any(rank.startswith("并列") for _, _, rank, _ in shown)


def test_a_filter_keeps_the_units_rank_in_its_category(role_client):
    client = role_client("staff")
    whole = {name: rank for _, name, rank, _ in _shown(client, {})[0]}
    filtered, _ = _shown(client, {"q": "烟草"})
    assert filtered and all(whole[name] == rank for _, name, rank, _ in filtered)
    assert filtered[0][2] == "54"  # the last department ranks 54th, alone on the filtered page


def test_a_name_with_like_wildcards_matches_only_itself(role_client):
    client = role_client("staff")
    assert _shown(client, {"q": "%"}) == ([], 0)
    assert _shown(client, {"q": "_"}) == ([], 0)


def test_a_pages_totals_are_the_stored_decimals(db):
    """The page reads its units' totals from its ranking query as the model's fields read them (Decimal('0.40'),
    not SQLite's float 0.4): the very values year_ranking reads through the ORM."""
    schemes = list(year_schemes(YEAR))
    lines = Lines(YEAR, schemes)
    assert make_current(YEAR, lines)
    rows = RankedRows(lines, [section_of(rules_from_scheme(s)) for s in schemes])[0:200]
    expected = {
        (c.category_slug, u.unit_id): (str(u.deduction), str(u.year_end_deduction))
        for c in year_ranking(YEAR)
        for u in c.units
    }
    shown = {(c.category_slug, u.unit_id): tuple(map(str, u.totals)) for c, u in rows}
    assert shown == expected and any(year_end != "0.00" for _, year_end in shown.values())
    assert all(isinstance(value, D) for _, u in rows for value in u.totals)


def test_a_unit_whose_totals_are_zero_shows_no_lines_without_making_them(db):
    """The page needs only the lines that cost something: a unit with zero totals has none (losses are never
    negative), so its lines are not made; the lines, once made, agree."""
    schemes = list(year_schemes(YEAR))
    assert make_current(YEAR, Lines(YEAR, schemes))
    lines = Lines(YEAR, schemes)  # current now: nothing made while refreshing
    assert make_current(YEAR, lines)
    rows = [u for _, u in RankedRows(lines, [section_of(lines.rules[s.pk]) for s in schemes])[0:200]]
    zero = [u for u in rows if not any(u.totals)]
    assert zero and all(u.costs_nothing and u.deduction_lines == [] for u in zero)
    assert not lines.made
    assert not any(u.costs_nothing for u in rows if any(u.totals))
    assert all(not line.deduction and not line.year_end_deduction for u in zero for line in u.lines)


def test_rules_with_a_negative_amount_read_the_lines_even_for_zero_totals():
    earn, lose = (Column(id=n, title=f"列{n}", kind=kind, points=D("0.5")) for n, kind in ((1, "earn"), (2, "lose")))
    rules = Rules(items=(Item(key="i1", columns=(earn,), points=D("0.5")), Item(key="i2", columns=(lose,), points=0)))
    assert rules.losses_never_negative
    assert UnitScore.under(rules, 1, "甲", lines=None, totals=(D(0), D("0.00")), line_maker=list).costs_nothing
    assert not UnitScore.under(rules, 1, "甲", lines=None, totals=(D(0), D("0.1")), line_maker=list).costs_nothing
    negative = Rules(items=(Item(key="i1", columns=(replace(earn, points=D("-0.5")),), points=D("-0.5")),))
    assert not negative.losses_never_negative
    assert not UnitScore.under(negative, 1, "甲", lines=None, totals=(D(0), D(0)), line_maker=list).costs_nothing
