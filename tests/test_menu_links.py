"""The header's links (kunshan_credit.menu): reversed once, the same paths `{% url %}` gave, under any prefix."""

import re

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import clear_script_prefix, reverse, set_script_prefix

from core import links
from kunshan_credit import menu

BASE = (settings.BASE_DIR / "templates" / "base.html").read_text(encoding="utf-8")


def test_every_link_of_the_header_is_named_and_reversed():
    used = set(re.findall(r"\{\{ menu\.(\w+) \}\}", BASE))
    # a misspelt name would print an empty href without a word: every one used is known, every one known used
    assert used == set(menu.NAMES)
    assert re.findall(r"\{% url [^%]*%\}", BASE) == ["{% url 'units:detail' can.unit_id %}"]
    assert menu.links() == {name: reverse(url_name) for name, url_name in menu.NAMES.items()}


def test_the_links_follow_the_script_prefix():
    set_script_prefix("/credit/")
    try:
        assert menu.links()["todo"] == "/credit/todo/" == reverse("todo")
    finally:
        clear_script_prefix()
    assert menu.links()["todo"] == "/todo/"


@override_settings(ROOT_URLCONF="kunshan_credit.bench.urls")
def test_the_links_follow_the_url_configuration():
    assert menu.links() == {name: reverse(url_name) for name, url_name in menu.NAMES.items()}


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("staff", ["todo", "bulletins:new", "directory:units", "password_change", "logout"], ["audit:list", "login"]),
        ("leader", ["todo", "overview:index", "scores_latest:latest"], ["bulletins:new", "directory:units"]),
        ("anonymous", ["login", "bulletins:archive"], ["todo", "overview:index", "logout"]),
    ],
)
def test_each_role_sees_its_links(role, shown, hidden, role_client):
    html = role_client(role).get("/bulletins/").content.decode()
    nav = html.split('aria-label="主导航"', 1)[1].split("</nav>", 1)[0]
    hrefs = set(re.findall(r'href="([^"]+)"', nav)) | set(re.findall(r'action="([^"]+)"', nav))
    assert {reverse(name) for name in shown} <= hrefs, hrefs
    assert not {reverse(name) for name in hidden} & hrefs, hrefs


@pytest.mark.parametrize(
    ("name", "args"),
    [("assessment:grid", (2019, "towns")), ("bulletins:issue", (2019, 11)), ("cases:review", ()), ("home", ())],
)
def test_a_kept_link_is_what_reverse_gives_under_any_prefix(name, args):
    assert links.reversed_url(name, *args) == reverse(name, args=list(args))
    assert links.reversed_url(name, *args) is links.reversed_url(name, *args)  # kept, not reversed again
    set_script_prefix("/credit/")
    try:
        assert links.reversed_url(name, *args) == reverse(name, args=list(args))
        assert links.reversed_url(name, *args).startswith("/credit/")
    finally:
        clear_script_prefix()
    assert not links.reversed_url(name, *args).startswith("/credit/")


def test_the_kept_links_start_afresh_at_their_limit(monkeypatch):
    monkeypatch.setattr(links, "KEPT", 3)
    for year in range(2019, 2030):
        assert links.reversed_url("assessment:year", year) == f"/assessment/{year}/"
    assert len(links._reversed) <= 3
