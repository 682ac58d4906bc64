"""The body rows of the Word file's long tables, written into the saved .docx as text (bulletins.word).

At a national scale (20,000 units) the tables have ~20,000 rows of ~12 cells, each cell a w:tc, w:p, w:pPr,
w:pStyle, w:r and w:t: as lxml elements they were ~340 MB of a 450 MB peak and most of the 5–20 s, and python-docx
then serialized the whole tree into one string. So bulletins.word builds the document with python-docx without
those rows, a comment (`mark`) where each table's rows go, and saves it; `fill` then copies that file member by
member into the final one and streams word/document.xml through the zip, each table's rows made as escaped XML
text a chunk at a time: memory grows with one chunk, not with the tables. The rows' markup is the one lxml wrote before
(`row_xml`), so word/document.xml is the same bytes.

A comment cannot come from the issue's text (every `<` of it is escaped), so the marks are found exactly.
"""

import io
import re
import zipfile
from itertools import islice
from xml.sax.saxutils import escape

DOCUMENT = "word/document.xml"
# Rows per piece written to the zip: a piece is ~1 MB of XML.
CHUNK_ROWS = 1000

# What lxml refuses in a text (XML 1.0 has no such characters): refused here too, before a file is written.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# lxml writes a carriage return as a character reference (a parser would read a bare one as a line feed).
_ENTITIES = {"\r": "&#13;"}


def _comment(index):
    return f"kc-rows {index}"


def mark(tbl, index):
    """Put the mark of the `index`th table's rows at the end of `tbl` (a python-docx table's w:tbl)."""
    from lxml.etree import Comment

    tbl.append(Comment(_comment(index)))


def _cell(value, style_id):
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return (
        f'<w:tc><w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>'
        f"<w:r><w:t{space}>{escape(value, _ENTITIES)}</w:t></w:r></w:p></w:tc>"
    )


def row_xml(values, style_ids):
    """A table row as bulletins.word's header row is made: each cell one paragraph of its style (its id) with
    one run of text, no properties of its own."""
    return "<w:tr>" + "".join(_cell(v, s) for v, s in zip(values, style_ids, strict=True)) + "</w:tr>"


def _chunks(rows, style_ids):
    rows = iter(rows)
    while chunk := list(islice(rows, CHUNK_ROWS)):
        text = "".join(row_xml(values, style_ids) for values in chunk)
        if _NOT_XML.search(text):
            raise ValueError("a table cell holds a character XML cannot (a control character), as lxml refuses")
        yield text.encode()


def fill(skeleton, bodies):
    """The .docx bytes of `skeleton` (a saved .docx with the marks) with each mark replaced by its table's rows.

    bodies: one (rows, style ids) per mark in mark order, rows an iterable of each row's cell texts (a
    generator: a row's texts are only made when its chunk is written)."""
    stream = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(skeleton)) as source, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != DOCUMENT:
                target.writestr(info, source.read(info))
                continue
            pieces = _split(source.read(info).decode(), len(bodies))
            entry = zipfile.ZipInfo(DOCUMENT, date_time=info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with target.open(entry, "w") as document:
                document.write(pieces[0].encode())
                for (rows, style_ids), after in zip(bodies, pieces[1:], strict=True):
                    for chunk in _chunks(rows, style_ids):
                        document.write(chunk)
                    document.write(after.encode())
    return stream.getvalue()


def _split(xml, count):
    """word/document.xml cut at its `count` marks, in order: count + 1 pieces."""
    pieces, rest = [], xml
    for index in range(count):
        before, found, rest = rest.partition(f"<!--{_comment(index)}-->")
        if not found:
            raise ValueError(f"word/document.xml has no mark of table {index}")
        pieces.append(before)
    return [*pieces, rest]
