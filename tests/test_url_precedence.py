"""Which page a URL opens never depends on the order of the includes: at every level of the URL tree, a page's
URL is claimed by one include only, and by nothing beside it (issue 20: two includes shared assessment/ and
two office/, and the first one listed won). Two plain patterns of one urls module may still overlap (a unit's
edit/ beside its <action>/): their order is in one list, in one file."""

import re
import uuid

import pytest
from django.urls import URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter, UUIDConverter
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern

from assessment.marks.urls import CategoryConverter

SAMPLE = {
    IntConverter: "7",
    StringConverter: "word",
    SlugConverter: "some-slug",
    UUIDConverter: str(uuid.UUID(int=7)),
    PathConverter: "a/b",
    CategoryConverter: "towns",
}
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
THEIRS = {"admin"}  # Django's admin: its own URL map


def _sample(pattern):
    return PARAMETER.sub(lambda m: SAMPLE[type(pattern.converters[m[1]])], pattern._route)


def _pages(resolver, prefix=""):
    """(a URL of the page, the page's name) for every page of ours written as a route."""
    for entry in resolver.url_patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue  # the API router's regexes, under their own api/v1/ include
        url = prefix + _sample(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace not in THEIRS:
                yield from _pages(entry, url)
        elif entry.name:
            yield url, entry.name


def _claims(resolver, path):
    found = []
    for entry in resolver.url_patterns:
        try:
            if entry.resolve(path):
                found.append(entry)
        except Resolver404:
            pass
    return found


def _levels(path):
    """The entries claiming `path` at each level it passes through."""
    resolver = get_resolver()
    while True:
        found = _claims(resolver, path)
        yield path, found
        if not found or not isinstance(found[0], URLResolver):
            return
        resolver = found[0]
        path = resolver.pattern.match(path)[0]


PAGES = sorted(set(_pages(get_resolver())))


def test_the_walk_sees_the_pages_that_shared_a_prefix():
    names = {name for _, name in PAGES}
    assert {"grid", "marks", "ranking", "latest", "office", "units", "new_year"} <= names
    assert len(PAGES) > 100


@pytest.mark.parametrize(("url", "name"), PAGES, ids=[url for url, _ in PAGES])
def test_no_include_shares_a_page_with_another_entry(url, name):
    for path, found in _levels(url):
        includes = [entry for entry in found if isinstance(entry, URLResolver)]
        assert found and (len(found) == 1 or not includes), (
            f"/{url}: {[str(entry.pattern) for entry in found]} all claim {path!r}"
        )
    assert found[0].name == name


@pytest.mark.parametrize(
    ("url", "view"),
    [
        ("/assessment/2024/import/", "imports:marks"),
        ("/assessment/2024/scores/", "scores:ranking"),
        ("/assessment/2024/new-year/", "assessment:new_year"),
        ("/assessment/2024/towns/", "assessment:grid"),
        ("/assessment/scores/", "scores_latest:latest"),
        ("/office/", "office"),
        ("/office/units/", "directory:units"),
    ],
)
def test_the_words_beside_the_grid_are_not_categories(url, view):
    assert resolve(url).view_name == view
