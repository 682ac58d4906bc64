"""Each rule shown in several places has one home: a second copy would drift, and these tests would see it.

The behaviour first (what a user reads), then the source: the rule's words are written in one module only.
"""

import ast
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.utils import timezone

from assessment import cells, derived
from assessment.marks import history
from assessment.marks.services import StaleMark, set_mark
from assessment.models import Indicator, Mark, MarkState
from assessment.notify.digests import mark_changes as digest_of_marks
from assessment.tables import StateCounts
from bulletins.api import IssueDetailSerializer
from bulletins.forms import IssueForm
from bulletins.models import Issue
from core.office.models import MASTHEAD_FIELDS, get_office
from core.people import NO_ACCOUNT, api_name, display_name

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
APPS = ("assessment", "bulletins", "cases", "core", "kunshan_credit")


def sources(*suffixes):
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*")):
            if path.suffix in suffixes and "migrations" not in path.parts:
                yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")
    for suffix in suffixes:
        for path in sorted((ROOT / "templates").rglob(f"*{suffix}")):
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def homes(pattern, *suffixes):
    """The files whose text matches `pattern`."""
    return sorted({name for name, text in sources(*suffixes) if re.search(pattern, text)})


@pytest.fixture
def typed(staff_user, monkeypatch):
    """A cell of a column that takes typed numbers, holding the number 4.

    In this portal every count column is derived (cases registers 奖惩案例); an assessment without that
    derivation has typed numbers, which is what a stored cell and its history must show.
    """
    monkeypatch.setattr(derived, "_derivations", [])
    mark = (
        Mark.objects.filter(unit__name="发改委", indicator__scheme__year=2019, state=MarkState.DONE)
        .select_related("indicator__scheme", "unit")
        .order_by("indicator__order")
        .first()
    )
    Indicator.objects.filter(pk=mark.indicator_id).update(accepts_count=True)
    mark.indicator.accepts_count = True
    return set_mark(mark, "4", staff_user)


def digest_texts():
    now = timezone.now()
    return [e.text for e in digest_of_marks(now - timedelta(hours=1), now + timedelta(seconds=1))]


# --- a cell's text: its number, else its word


def test_a_typed_number_shows_as_the_number_in_its_history_the_unit_page_and_the_digest(role_client, staff_user, typed):
    before = str(typed.count)
    after = str(typed.count + 3)
    set_mark(typed, after, staff_user)
    newest = history.mark_changes(typed)[0]
    assert (newest.old, newest.new) == (before, after)
    page = role_client("staff").get(f"/units/{typed.unit_id}/?year=2019").content.decode()
    assert f"{before} → {after}" in page
    assert f"{typed.unit.name} · {typed.indicator.title}：由“{before}”改为“{after}”" in "\n".join(digest_texts())
    # the word an empty state would give is never shown instead of the number
    assert newest.new == Mark.objects.get(pk=typed.pk).display


def test_a_word_after_a_number_shows_the_word(staff_user, typed):
    indicator = typed.indicator
    if not indicator.allowed_states:
        pytest.skip("this count column takes no word")
    word = indicator.allowed_states[0]
    set_mark(typed, word, staff_user)
    newest = history.mark_changes(typed)[0]
    assert (newest.old, newest.new) == (str(typed.count), word)


def test_the_number_else_word_rule_is_written_once():
    rule = r"str\((\w+\.)*count\) if (\w+\.)*count is not None"
    assert homes(rule, ".py") == ["assessment/models/marks.py"]


# --- a person's display name, and the one word for no account


def test_a_deleted_account_reads_the_same_word_everywhere(role_client, staff_user, typed):
    author = get_user_model().objects.create_user("t_gone", first_name="离职")
    set_mark(typed, str(typed.count + 1), author)
    author.delete()
    mark = Mark.objects.select_related("updated_by", "unit", "indicator").get(pk=typed.pk)
    assert mark.updated_by is None
    shown = {
        "history": history.mark_changes(mark)[0].who,
        "import check": display_name(mark.updated_by),
        "template": Template("{% load people %}{{ who|display_name }}").render(Context({"who": None})),
    }
    assert set(shown.values()) == {NO_ACCOUNT}, shown
    assert f"已被{NO_ACCOUNT}修改为" in str(StaleMark(mark))
    assert f"（{NO_ACCOUNT}，" in "\n".join(t for t in digest_texts() if mark.indicator.title in t)
    page = role_client("staff").get(f"/units/{mark.unit_id}/?year=2019").content.decode()
    row = re.search(r'<table class="io-table unit-history">.*?<tbody>\s*<tr>(.*?)</tr>', page, re.S).group(1)
    assert f"<td>{NO_ACCOUNT}</td>" in row
    # The API answers data: no account is null there, and a named account the same name as on the pages.
    assert StaleMark(mark).current()["updated_by"] is None and api_name(None) is None
    assert api_name(staff_user) == display_name(staff_user) == "t_staff"


def test_a_full_name_is_preferred_to_the_account_name_everywhere(staff_user):
    staff_user.first_name = "王"
    staff_user.save()
    rendered = Template("{% load people %}{{ who|display_name }}").render(Context({"who": staff_user}))
    assert display_name(staff_user) == api_name(staff_user) == rendered == "王"


def test_the_display_name_is_written_once():
    assert homes(r"get_full_name\(\) or|get_full_name\|default", ".py", ".html", ".txt") == ["core/people.py"]
    # no second word for "no account" beside a name
    assert homes(r"else \"其他人\"", ".py") == []


# --- a mark's history with the value before it


def test_the_unit_page_reads_the_marks_history_module(role_client, staff_user, typed):
    set_mark(typed, str(typed.count + 2), staff_user)
    response = role_client("staff").get(f"/units/{typed.unit_id}/?year=2019")
    newest = response.context["history"][0]
    assert isinstance(newest, history.Change)
    expected = history.mark_changes(typed)[0]
    assert (newest.old, newest.new, newest.who, newest.how) == (expected.old, expected.new, expected.who, expected.how)
    # the previous value is fetched in one place only
    assert homes(r"old_state|previous\.get\(", ".py") == ["assessment/marks/history.py"]


# --- the grid's summary row: its keys come from the server


def test_the_grid_hands_its_summary_keys_to_grid_js(role_client):
    page = role_client("staff").get("/assessment/2019/departments/").content.decode()
    script = re.search(r'<script id="grid-summary-keys" type="application/json">(.*?)</script>', page, re.S)
    keys = json.loads(script.group(1))
    assert keys == StateCounts.summary_keys()
    assert set(keys["words"]) == set(MarkState.values)
    summary_keys = set(re.findall(r'<span data-key="(\w+)">', page))
    assert summary_keys and summary_keys <= {*keys["words"].values(), keys["number"]}
    # and a cell's word counts where the page says it does
    for word, key in keys["words"].items():
        assert getattr(StateCounts().add(word), key) == 1
    assert getattr(StateCounts().add("", 4), keys["number"]) == 1


def test_grid_js_keeps_no_list_of_the_words():
    script = (ROOT / "static/js/grid.js").read_text(encoding="utf-8")
    for word in MarkState.values:
        assert f'"{word}":' not in script, word
    assert "not_assessed" not in script and "explained" not in script


# --- the masthead and footer fields


def test_every_place_reads_the_one_masthead_list():
    assert tuple(get_office().footer_defaults()) == MASTHEAD_FIELDS
    assert all(Issue._meta.get_field(name) for name in MASTHEAD_FIELDS)
    assert set(MASTHEAD_FIELDS) <= set(IssueForm._meta.fields)
    assert set(MASTHEAD_FIELDS) <= set(IssueDetailSerializer.Meta.fields)
    # the list is written in one module: a footer field's name as a string appears nowhere else
    assert homes(r"[\"']reviewers[\"']", ".py") == ["core/office/models.py"]
    # and an issue's full title (刊名 刊头字样 年第N期) is made by the snapshot's Bulletin.title only
    assert homes(r"series_title.{0,60}年第", ".py", ".html") == ["bulletins/snapshot.py"]


# --- a unit's score


def test_a_unit_score_is_made_in_one_place():
    assert homes(r"\bUnitScore\(", ".py") == []  # UnitScore.under (and from_dict) build it with cls(...)
    assert homes(r"by_column\[record\.indicator_id\]", ".py") == ["assessment/scoring/scores.py"]


# --- no private names across modules


def test_no_module_imports_another_modules_private_names():
    found = []
    for name, text in sources(".py"):
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (*APPS, ""):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{name}:{node.lineno} {alias.name}")
    assert found == []


# --- mark requests, not HTTP requests


def test_the_mark_requests_package_has_one_views_module_per_feature():
    assert not (ROOT / "assessment/requests").exists()
    views = ROOT / "assessment/mark_requests/views"
    assert sorted(p.name for p in views.glob("*.py")) == [
        "__init__.py",
        "mark_requests.py",
        "reminders.py",
        "unit_pages.py",
    ]


# --- a derived cell's history: what the cell shows, not the word kept under the number


def test_a_derived_cells_history_shows_the_number_the_cell_shows(role_client, staff_user):
    """发改委's 奖惩案例 cell stores * and shows the cases counted (6): its history line on the unit page and
    in the cell's history panel reads 6 as the cell does, not “建立：*”."""
    mark = Mark.objects.select_related("indicator__scheme", "unit").get(
        unit__name="发改委", indicator__scheme__year=2019, indicator__accepts_count=True
    )
    assert derived.is_derived(mark.indicator) and mark.state == MarkState.PENDING
    shown = cells.cells_of_marks([mark], {mark.indicator_id: mark.indicator})[mark.pk].value
    assert shown == "6"

    client = role_client("staff")
    page = client.get(f"/units/{mark.unit_id}/?year=2019").content.decode()
    rows = re.findall(r"<td>([^<]*)</td>\s*<td>建立：([^<]*)</td>", page)
    assert (mark.indicator.title, shown) in rows
    assert (mark.indicator.title, "*") not in rows
    panel = client.get(f"/assessment/marks/{mark.pk}/history/?partial=1").content.decode()
    assert f"当前为“{shown}”" in panel and f"→ <strong>{shown}</strong>" in panel
    assert "→ <strong>*</strong>" not in panel

    # a word that exempts the unit shows as the word, after the number it replaced
    set_mark(mark, MarkState.EXPLAINED, staff_user)
    newest = client.get(f"/units/{mark.unit_id}/?year=2019").context["history"][0]
    assert (newest.old, newest.new) == (shown, MarkState.EXPLAINED)
