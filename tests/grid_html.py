"""Reads the entry grid page (templates/assessment/grid.html) as a user's eyes would: what each cell shows."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Cell:
    value: str
    attrs: dict

    @property
    def mark_id(self):
        return int(self.attrs["data-mark"]) if "data-mark" in self.attrs else None

    @property
    def version(self):
        return int(self.attrs["data-version"])

    @property
    def editable(self):
        return "data-mark" in self.attrs and "readonly" not in self.attrs.get("class", "").split()


@dataclass
class Grid:
    header: list = field(default_factory=list)  # header texts, squashed
    header_attrs: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # [(unit name, [Cell], deduction text)]
    summary: list = field(default_factory=list)  # one {key: int} per column
    inputs: list = field(default_factory=list)  # (tag, attrs) of every input/select/textarea/button in the page

    def values(self):
        return [[name, *[c.value for c in cells], deduction] for name, cells, deduction in self.rows]

    def row(self, unit_name):
        return next(cells for name, cells, _ in self.rows if name == unit_name)

    @property
    def unit_names(self):
        return [name for name, _, _ in self.rows]


class _GridParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.grid = Grid()
        self._in_grid = False
        self._section = None
        self._text = None  # collecting text of the current th/td
        self._cell_attrs = None
        self._value = None  # text of .cell-value inside the current td
        self._row = None
        self._summary = None
        self._summary_key = None
        self._depth = 0  # <a class="cell-history"> and the row's 催办 link are skipped

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag in ("input", "select", "textarea", "button"):
            self.grid.inputs.append((tag, attrs))
        if tag == "table" and attrs.get("id") == "grid":
            self._in_grid = True
        if not self._in_grid:
            return
        if tag in ("thead", "tbody", "tfoot"):
            self._section = tag
        elif tag == "tr" and self._section == "tbody":
            self._row = [None, [], ""]
        elif tag in ("th", "td"):
            self._text, self._cell_attrs, self._value = "", attrs, None
            if self._section == "tfoot" and tag == "td" and "summary" in attrs.get("class", ""):
                self._summary = {}
        elif tag == "span" and "cell-value" in attrs.get("class", ""):
            self._value = ""
        elif tag == "span" and self._summary is not None and "data-key" in attrs:
            self._summary_key = attrs["data-key"]
        elif tag == "a" and {"cell-history", "urge-link"} & set(attrs.get("class", "").split()):
            self._depth += 1

    def handle_endtag(self, tag):
        if not self._in_grid:
            return
        if tag == "table":
            self._in_grid = False
        elif tag == "a" and self._depth:
            self._depth -= 1
        elif tag == "span" and self._summary_key:
            self._summary_key = None
        elif tag in ("th", "td") and self._text is not None:
            text = " ".join(self._text.split())
            if self._section == "thead":
                self.grid.header.append(text)
                self.grid.header_attrs.append(self._cell_attrs)
            elif self._section == "tbody" and self._row is not None:
                classes = self._cell_attrs.get("class", "").split()
                if tag == "th":
                    self._row[0] = text
                elif "deduction-col" in classes:
                    self._row[2] = text
                elif "cell" in classes:
                    self._row[1].append(Cell(value=(self._value or "").strip(), attrs=self._cell_attrs))
            elif self._section == "tfoot" and self._summary is not None:
                self.grid.summary.append(self._summary)
                self._summary = None
            self._text = None
        elif tag == "tr" and self._section == "tbody" and self._row and self._row[0] is not None:
            self.grid.rows.append(tuple(self._row))
            self._row = None

    def handle_data(self, data):
        if not self._in_grid or self._depth:
            return
        if self._text is not None:
            self._text += data
        if self._value is not None:
            self._value += data
        if self._summary_key and data.strip().isdigit():
            self._summary[self._summary_key] = int(data.strip())


def parse_grid(html):
    parser = _GridParser()
    parser.feed(html)
    return parser.grid
