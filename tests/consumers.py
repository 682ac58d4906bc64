"""Every consumer of a year's figures read as its user reads it, one unit at a time (`agree`): the grid, the
unit page, the marks API, the year's progress workbook, a published issue's page and PDF text, the scores page
and the scores API. Each page, workbook and PDF is read once per call; a step of a test asserts agreement in
one line (tests/test_year_simulation.py).
"""

import io
import subprocess
from decimal import Decimal as D

from openpyxl import load_workbook

from assessment.models import Scheme, Unit

from .grid_html import parse_grid
from .test_bulletin_page import parse


class Consumers:
    """What every consumer shows for a year (and an issue), each read once and asked unit by unit."""

    def __init__(self, client, api, year, issue=None, pdf_dir=None):
        self.client, self.api, self.year, self.issue, self.pdf_dir = client, api, year, issue, pdf_dir
        self._read = {}

    def _once(self, key, read):
        if key not in self._read:
            self._read[key] = read()
        return self._read[key]

    def grid(self, slug, unit_name):
        grid = self._once(
            ("grid", slug), lambda: parse_grid(self.client.get(f"/assessment/{self.year}/{slug}/").content.decode())
        )
        cells, text = next((cells, text) for name, cells, text in grid.rows if name == unit_name)
        return tuple(c.value for c in cells), text

    def unit_page(self, unit):
        context = self.client.get(f"/units/{unit.pk}/", {"year": self.year}).context
        return tuple(row["cell"].value for row in context["rows"]), context["score"]

    def api_marks(self, unit):
        body = self.api.get("/api/v1/marks/", {"year": self.year, "unit": unit.pk, "page_size": 1000}).json()
        assert body["next"] is None and {m["unit_name"] for m in body["results"]} == {unit.name}
        return tuple(m["value"] for m in body["results"])

    def bulletin(self, category, unit_name):
        issue = self.issue
        page = self._once(
            "bulletin", lambda: parse(self.client.get(f"/bulletins/{issue.year}/{issue.number}/").content.decode())
        )
        table = next(t for t in page.tables if t[0][0][1] == category)
        row = next(r for r in table[1:] if r[0][1] == unit_name)
        return tuple(text for _, text in row[1:-1]), row[-1][1]

    def workbook(self, category, unit_name):
        def read():
            response = self.client.get(f"/assessment/{self.year}/progress.xlsx")
            return load_workbook(io.BytesIO(b"".join(response.streaming_content)))

        ws = self._once("workbook", read)[category]
        row = next(r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] == unit_name)
        return tuple(str(v) for v in row[1 : ws.max_column - 1]), row[ws.max_column - 1] or ""

    def pdf_row(self, unit_name):
        """The unit's row as the PDF prints it, from its name on, spaces and line breaks dropped (a narrow cell
        breaks 非考核项 into one character a line once 扣分情况 is printed)."""

        def read():
            from bulletins import documents

            self.issue.refresh_from_db()
            documents.store(self.issue.current_version, "pdf")  # as render_documents does after publication
            response = self.client.get(f"/bulletins/{self.issue.year}/{self.issue.number}/issue.pdf")
            path = self.pdf_dir / "issue.pdf"
            path.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
            args = ["pdftotext", "-raw", str(path), "-"]
            return subprocess.run(args, check=True, capture_output=True, text=True).stdout.splitlines()

        lines = self._once("pdf", read)
        start = next(i for i, line in enumerate(lines) if line.startswith(unit_name + " "))
        return "".join(lines[start : start + 60]).replace(" ", "")

    def scores_page(self, unit_name):
        shown = self._once("scores", lambda: shown_scores(self.client, self.year))
        return next(u for _, u in shown if u.unit_name == unit_name)

    def scores_api(self, unit_name):
        body = self._once("scores api", lambda: self.api.get(f"/api/v1/scores/{self.year}/").json())
        return next(u for c in body["categories"] for u in c["units"] if u["unit_name"] == unit_name)

    def unit(self, unit_name):
        """One unit's cells, 扣分情况 and score from every consumer, asserted equal; what they show."""
        category = Scheme.objects.get(year=self.year, scheme_units__unit__name=unit_name).category
        unit = Unit.objects.get(name=unit_name)
        grid_cells, grid_text = self.grid(category.slug, unit_name)
        page_cells, page_score = self.unit_page(unit)
        tables = {
            "grid": (grid_cells, grid_text),
            "unit page": (page_cells, None),
            "API": (self.api_marks(unit), None),
            "workbook": self.workbook(category.name, unit_name),
        }
        if self.issue is not None:
            tables["bulletin page"] = self.bulletin(category.name, unit_name)
        for name, (cells, text) in tables.items():
            assert cells == grid_cells, (unit_name, name, cells, grid_cells)
            if text is not None:
                assert text == grid_text, (unit_name, name, text, grid_text)
        if self.pdf_dir is not None:
            printed = "".join((unit_name, *grid_cells))
            row = self.pdf_row(unit_name)
            assert row.startswith(printed), (row[:200], grid_cells)
            assert grid_text.replace(" ", "") in row[: len(printed) + len(grid_text) + 20], (row[:300], grid_text)
        on_page, on_api = self.scores_page(unit_name), self.scores_api(unit_name)
        scores = {
            "scores page": (on_page.score, on_page.deduction_text),
            "scores API": (D(on_api["score"]), on_api["deduction_text"]),
            "unit page": (page_score.score, page_score.deduction_text),
        }
        assert len(set(scores.values())) == 1, (unit_name, scores)
        score, text = scores["scores page"]
        if grid_text:  # the tables print 扣分情况 once the year is closed: the score's text
            assert grid_text == text, (unit_name, grid_text, text)
        full = on_page.full_points
        return {"cells": grid_cells, "score": score, "full": full, "text": text, "table_text": grid_text}


def agree(client, api, *unit_names, year=2019, issue=None, pdf_dir=None):
    """Every consumer agrees on each of `unit_names` (one line a step); {unit name: what they show}.

    Cells: the grid, the unit page, the API, the year's progress workbook, and (given `issue`, just published)
    the bulletin page and (given `pdf_dir`) the PDF's text. Score and 扣分情况: the scores page, the scores API
    and the unit page; the tables' 扣分情况, empty until the close as printed, is then the score's text.
    """
    consumers = Consumers(client, api, year, issue, pdf_dir)
    return {name: consumers.unit(name) for name in unit_names}


def shown_scores(client, year):
    """[(category name, UnitScore)] of the units the scores page shows: every unit of a city, on one page."""
    context = client.get(f"/assessment/{year}/scores/").context
    assert context["page"].paginator.num_pages == 1, "more units than one page of the ranking"
    return [(section.section.category, unit) for section in context["sections"] for unit in section.rows]


def department_scores(client, api, year=2019):
    """{department: score} from the scores page, checked against the scores API."""
    on_page = {u.unit_name: u.score for category, u in shown_scores(client, year) if category == "部门"}
    body = api.get(f"/api/v1/scores/{year}/").json()
    on_api = {u["unit_name"]: D(u["score"]) for c in body["categories"] if c["category"] == "部门" for u in c["units"]}
    assert on_page == on_api
    return on_page
