"""README.md against the code: its Pages table against the URL patterns, its Map against the folders on disk,
each section once, each table whole.

The Pages table's first column names paths in backticks: a full path (`/cases/case/<id>/edit/`), or `…/x/`:
the last full path before it with its last part replaced by `x/` (`…/submit/`: `/cases/case/<id>/submit/`).
A `<placeholder>` stands for any value of its part.
"""

import re
from pathlib import Path

from django.conf import settings
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

ROOT = Path(settings.BASE_DIR)
README = (ROOT / "README.md").read_text(encoding="utf-8")

# A value for each placeholder that its URL converter accepts (a UUID is also a valid `str` token).
SAMPLES = {
    "year": "2019",
    "number": "11",
    "category": "departments",
    "kind": "article",
    "token": "6f1c2c1e-0d5b-4d4a-9a57-2f0c9a3e8b10",
    "uidb64": "MQ",
}
# Namespaces that are not the portal's pages: Django's admin (one row, /admin/).
NOT_PAGES = ("admin:",)
# The apps' packages the Map must name; Django's own places (migrations, commands) are described in their app's row.
APPS = ("core", "assessment", "cases", "bulletins", "kunshan_credit")
CONVENTIONAL_PACKAGES = {"migrations", "management"}
SEPARATOR = re.compile(r"\|[-| :]+\|$")


def _sections(level="## "):
    """{heading: its text up to the next heading of the same level or above}."""
    parts = re.split(rf"^(?={re.escape(level)}(?!#))", README, flags=re.MULTILINE)
    return {part.splitlines()[0]: part for part in parts[1:]}


def _section(title):
    (text,) = [text for heading, text in _sections().items() if heading.startswith(f"## {title}")]
    return text


def _table_rows(text):
    """The cells of each row of the tables in `text` (header and separator rows left out)."""
    lines = text.splitlines()
    return [
        [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        for number, line in enumerate(lines)
        if line.startswith("|")
        and not SEPARATOR.match(line)
        and not (number + 1 < len(lines) and SEPARATOR.match(lines[number + 1]))
    ]


def _page_paths():
    """Every path the Pages table names, `…/` expanded, as (path, the row's first cell)."""
    for row in _table_rows(_section("Pages")):
        previous = None
        for item in re.findall(r"`([^`]+)`", row[0]):
            if item.startswith("…/"):
                assert previous, f"{row[0]}: `…/` needs a full path before it"
                yield previous.rstrip("/").rsplit("/", 1)[0] + item[1:], row[0]
                continue
            assert item.startswith("/"), f"{row[0]}: {item!r} is neither a path nor `…/`"
            previous = item
            yield item, row[0]


def _sample(path):
    return re.sub(r"<([^>]+)>", lambda m: SAMPLES.get(m.group(1), "1"), path)


def _url_names(resolver=None, prefix=""):
    """(name, pattern) of every named URL pattern."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _url_names(pattern, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name, pattern


def _pages():
    """The portal's pages: every named URL but the admin's and the API's routes (its viewsets, which the API
    section's table lists; the API's schema and documentation are pages)."""
    return {
        name
        for name, pattern in _url_names()
        if not name.startswith(NOT_PAGES) and not hasattr(pattern.callback, "actions")
    }


def test_every_path_of_the_pages_table_exists():
    missing = []
    for path, row in _page_paths():
        try:
            resolve(_sample(path))
        except Resolver404:
            missing.append(f"{path} (in the row {row})")
    assert not missing, f"README's Pages table names paths the portal does not have: {missing}"


def test_every_page_is_in_the_pages_table():
    named = set()
    for path, _ in _page_paths():
        try:
            named.add(resolve(_sample(path)).view_name)
        except Resolver404:
            continue  # the test above names it
    assert len(_pages()) > 100
    assert _pages() - named == set(), "pages missing from README's Pages table"


def test_each_section_once():
    headings = [line for line in README.splitlines() if re.match(r"#{1,4} ", line)]
    assert [h for h in headings if headings.count(h) > 1] == []
    assert len(re.findall(r"^## Pages$", README, flags=re.MULTILINE)) == 1
    assert len(re.findall(r"^## Map$", README, flags=re.MULTILINE)) == 1


def test_every_table_is_whole():
    """A table row sits in a table: right after another row or a header; no row left after a paragraph."""
    lines = README.splitlines()
    stray = [
        f"line {number + 1}: {line[:60]}"
        for number, line in enumerate(lines)
        if line.startswith("|")
        and not lines[number - 1].startswith("|")
        and not (number + 1 < len(lines) and SEPARATOR.match(lines[number + 1]))
    ]
    assert not stray, f"README table rows outside a table: {stray}"


def _map_rows():
    """(the folders or files a Map row names, the row's description)."""
    for row in _table_rows(_section("Map")):
        yield re.findall(r"`([^`]+)`", row[0]), row[1]


def test_what_the_map_names_exists():
    missing = []
    for names, what in _map_rows():
        for name in names:
            if not (ROOT / name).exists() or (name.endswith("/") and not (ROOT / name).is_dir()):
                missing.append(name)
        # Modules the description names by file name are the row's folder's.
        folder = next((name for name in names if name.endswith("/")), None)
        for module in re.findall(r"`([\w]+\.py)`", what):
            if folder is not None and not (ROOT / folder / module).is_file():
                missing.append(folder + module)
    assert not missing, f"README's Map names what is not on disk: {missing}"


def _ignored():
    """Top-level names .gitignore leaves out (plain names only: the ignore file's patterns here are such)."""
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    return {line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith("#")}


def test_the_map_names_every_folder_and_package():
    named = {name.rstrip("/") for names, _ in _map_rows() for name in names}
    folders = {
        path.name
        for path in ROOT.iterdir()
        if path.is_dir() and not path.name.startswith((".", "__")) and path.name not in _ignored()
    }
    packages = {
        f"{app}/{path.name}"
        for app in APPS
        for path in (ROOT / app).iterdir()
        if (path / "__init__.py").is_file() and path.name not in CONVENTIONAL_PACKAGES
    }
    assert {"core", "assessment", "tests", "core/security", "assessment/scoring"} <= folders | packages
    assert (folders | packages) - named == set(), "folders and packages missing from README's Map"


def test_the_benchmark_commands_run_as_written():
    """Every `manage.py benchmark …` line of the README: its options exist and take the values written (parsed by
    the command itself; tests/test_benchmark.py runs it end to end), and the interpreter is the checkout's own."""
    import shlex

    from kunshan_credit.management.commands.benchmark import Command

    lines = [line.strip() for line in README.splitlines() if "manage.py benchmark" in line and line.startswith("    ")]
    assert len(lines) >= 2
    for line in lines:
        argv = shlex.split(line)
        assert argv[:3] == [".venv/bin/python", "manage.py", "benchmark"], line
        options = Command().create_parser("manage.py", "benchmark").parse_args(argv[3:])
        assert options.scale in ("city", "province", "national") and not options.inner, line
