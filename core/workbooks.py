"""The one check every uploaded workbook passes before a reader (openpyxl) opens it.

openpyxl keeps every shared string and every cell of a row in memory, so what it is given must be
bounded first. `check_workbook` takes the file through `uploads.validate_upload` (kind by content,
size, the zip's unpacked size: a 400 KB file holding a 400 MB cell stops there, nothing
decompressed), then streams every XML member through expat in small blocks, keeping nothing but
counters, and refuses:

- a text longer than MAX_CELL_CHARS (32,767, Excel's own limit for a cell) anywhere;
- a sheet with more rows than the reader's `max_rows`;
- a formula cell: the reader sees only the value Excel saved with it, or nothing, so it would pass
  for an empty or stale cell. The office pastes values instead;
- a DOCTYPE or entity declaration (no workbook part has one; entities are how XML grows in a reader).

Every message is in Chinese and names the sheet, row and column where it can.
"""

import re
import zipfile
import zlib
from xml.parsers import expat

from django.core.exceptions import ValidationError

from core.uploads import validate_upload

MAX_CELL_CHARS = 32767
BLOCK = 64 * 1024
_REF = re.compile(r"([A-Z]{1,3})(\d+)$")
_SHOWN = 5
# Formula cells handed back one by one (check_workbook's `formulas`), per sheet: enough to fix, bounded.
_LISTED = 50


def _column_number(letters):
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _where(ref):
    match = _REF.match(ref or "")
    if not match:
        return "某个单元格"
    return f"第{match.group(2)}行第{_column_number(match.group(1))}列（{ref}）"


class _Damaged(Exception):
    pass


class _TooLong(Exception):
    pass


class _Declared(Exception):
    """A DOCTYPE or an entity declaration: never in a workbook, refused as damaged."""


class _Scan:
    """Stream one XML member, keeping counters only: text lengths, rows, formula cells, a few attributes.

    In the shared-strings part the length of each string (all its runs) is counted, and the index of
    a string that is too long is remembered; a sheet's cell that uses it is then named.
    """

    def __init__(self, max_text, *, keep=(), shared=False, long_strings=frozenset()):
        self.max_text = max_text
        self.keep = set(keep)
        self.kept = []  # (element, attributes) of the elements named in `keep` (small: the sheet list)
        self.shared = shared
        self.long_strings = set(long_strings) if not shared else set()
        self.strings = -1
        self.string_chars = 0
        self.rows = 0
        self.formulas = []
        self.formula_count = 0
        self.long_at = None
        self.cell = None
        self.cell_is_shared = False
        self.value = ""
        self.text = 0
        self.parser = expat.ParserCreate(namespace_separator="}")
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.data
        # No part of a workbook has a DTD; entities are how an XML file grows in the reader ("billion laughs").
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.parser.EntityDeclHandler = self.doctype

    def doctype(self, *args):
        raise _Declared

    def _too_long(self):
        self.long_at = self.cell or ""
        raise _TooLong

    def start(self, name, attributes):
        local = name.rsplit("}", 1)[-1]
        self.text = 0
        if any(len(value) > self.max_text for value in attributes.values()):
            self._too_long()
        if local == "row":
            self.rows += 1
        elif local == "c":
            self.cell = attributes.get("r", "")
            self.cell_is_shared = attributes.get("t") == "s"
        elif local == "v":
            self.value = ""
        elif local == "f":
            self.formula_count += 1
            if len(self.formulas) < _LISTED:
                self.formulas.append(self.cell)
        elif local == "si" and self.shared:
            self.strings += 1
            self.string_chars = 0
        if local in self.keep:
            self.kept.append((local, {k.rsplit("}", 1)[-1]: v for k, v in attributes.items()}))

    def end(self, name):
        local = name.rsplit("}", 1)[-1]
        self.text = 0
        if local == "v" and self.cell_is_shared and self.long_strings:
            if self.value.strip().isdigit() and int(self.value) in self.long_strings:
                self._too_long()
        elif local == "c":
            self.cell = None

    def data(self, text):
        if self.shared:
            self.string_chars += len(text)
            if self.string_chars > self.max_text:
                self.long_strings.add(self.strings)
            return
        self.text += len(text)
        if self.text > self.max_text:
            self._too_long()
        if self.cell_is_shared and len(self.value) < 12:
            self.value += text

    def feed(self, stream):
        try:
            while block := stream.read(BLOCK):
                self.parser.Parse(block, False)
            self.parser.Parse(b"", True)
        except (expat.ExpatError, _Declared) as exc:
            raise _Damaged from exc
        return self


def _sheet_titles(archive, max_text):
    """{member path: sheet title}, from the workbook and its relationships (small parts)."""
    try:
        with archive.open("xl/workbook.xml") as stream:
            sheets = _Scan(max_text, keep=("sheet",)).feed(stream).kept
        with archive.open("xl/_rels/workbook.xml.rels") as stream:
            rels = _Scan(max_text, keep=("Relationship",)).feed(stream).kept
    except KeyError:
        return {}
    targets = {}
    for _, attributes in rels:
        target = attributes.get("Target", "")
        targets[attributes.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return {targets[a["id"]]: a.get("name", "") for _, a in sheets if a.get("id") in targets}


def _scan(scan, stream, damaged):
    try:
        return scan.feed(stream)
    except (_Damaged, _TooLong):
        raise damaged from None


def check_workbook(uploaded, *, max_bytes=None, max_rows, max_cell_chars=MAX_CELL_CHARS, formulas=None):
    """Raise ValidationError (Chinese) unless the .xlsx may be read safely; leaves the file at its start.

    formulas: a dict the caller reports formula cells from, along with the other errors of the file:
    {sheet title: (count, [cell references, at most _LISTED])}; without it a formula cell is refused here."""
    validate_upload(uploaded, max_bytes=max_bytes)
    name = uploaded.name or ""
    damaged = ValidationError(f"无法读取“{name}”：文件已损坏或不是 Excel 工作簿。")
    too_long = "{where}超过 " + str(max_cell_chars) + " 个字符（Excel 单元格的上限），不能导入。"
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            try:
                titles = _sheet_titles(archive, max_cell_chars)
            except (_Damaged, _TooLong):
                raise damaged from None
            infos = [i for i in archive.infolist() if not i.is_dir()]
            # Shared strings first, so that a sheet's cell using a too-long string can be named.
            shared = [i for i in infos if i.filename.lower().endswith("sharedstrings.xml")]
            long_strings = set()
            for info in shared:
                with archive.open(info) as stream:
                    long_strings |= _scan(_Scan(max_cell_chars, shared=True), stream, damaged).long_strings
            for info in infos:
                if info in shared:
                    continue
                title = titles.get(info.filename) or info.filename.rsplit("/", 1)[-1]
                scan = _Scan(max_cell_chars, long_strings=long_strings)
                try:
                    with archive.open(info) as stream:
                        scan.feed(stream)
                except _TooLong:
                    where = f"工作表“{title}”{_where(scan.long_at)}" if scan.long_at else f"“{name}”中有内容"
                    raise ValidationError(too_long.format(where=where)) from None
                except _Damaged:
                    if info.filename.endswith((".xml", ".rels")):
                        raise damaged from None
                    continue  # a picture or another binary part: not read as XML by anyone
                if not info.filename.startswith("xl/worksheets/"):
                    continue  # rows and formulas count in sheets only (a chart's <c:f> is a reference)
                if scan.rows > max_rows:
                    raise ValidationError(f"工作表“{title}”超过 {max_rows} 行，不像是本系统导出的表格。")
                if scan.formula_count and formulas is not None:
                    formulas[title] = (scan.formula_count, list(scan.formulas))
                elif scan.formula_count:
                    cells = "、".join(_where(ref) for ref in scan.formulas[:_SHOWN])
                    more = f"等 {scan.formula_count} 处" if scan.formula_count > _SHOWN else ""
                    raise ValidationError(f"工作表“{title}”{cells}{more}是公式，请粘贴为数值后再导入。")
            if long_strings:  # a too-long string no cell uses: still more than a reader should load
                raise ValidationError(too_long.format(where=f"“{name}”中有内容"))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError, OSError):
        raise damaged from None
    finally:
        uploaded.seek(0)
