"""The Word file's table rows are written into the saved .docx as text, a chunk at a time (bulletins.word_rows):
read back by python-docx, the file is the one python-docx itself makes with those rows, cell for cell and style
for style, for a table of a thousand rows written in several chunks."""

import copy
import io

import pytest
from docx import Document
from docx.oxml.ns import qn

from bulletins import documents, word_rows
from bulletins.models import Issue

URL = "/bulletins/2019/11/issue.docx"
# Rows per chunk in these tests (production writes more at a time): the table below spans five chunks and a part.
CHUNK = 200
ROWS = 5 * CHUNK + 37
# Texts that must come out as typed: markup characters, spaces kept at either end, an empty cell, a mark's own text.
AWKWARD = ["A&B <公司> \"引号\" 'x'", "  前后空格 ", "", "<!--kc-rows 1-->", "]]>"]


def _many_rows(snapshot):
    """The snapshot with its first table grown to ROWS rows (the demo's rows repeated under new names)."""
    data = copy.deepcopy(snapshot)
    table = data["tables"][0]
    demo = table["rows"]
    table["rows"] = [
        {**demo[i % len(demo)], "unit_id": 10_000 + i, "unit": f"{demo[i % len(demo)]['unit']}{i}"} for i in range(ROWS)
    ]
    for i, text in enumerate(AWKWARD):
        row = table["rows"][CHUNK - 2 + i]  # across the end of the first chunk
        row["unit"], row["values"][0], row["deduction_text"] = text, text, text
    return data


def _made_by_python_docx(skeleton, bodies):
    """The same document with the rows added by python-docx's own API to the file before its rows were written."""
    doc = Document(io.BytesIO(skeleton))
    for table, (rows, style_ids) in zip(doc.tables, bodies, strict=True):
        for values in rows:
            for cell, value, style_id in zip(table.add_row().cells, values, style_ids, strict=True):
                paragraph = cell.paragraphs[0]
                paragraph._p.style = style_id  # by its id, as `paragraph.style = …` sets it (that looks it up slowly)
                paragraph.add_run(value)
    stream = io.BytesIO()
    doc.save(stream)
    return Document(io.BytesIO(stream.getvalue()))


def _read(doc):
    """What a reader of the file sees, as python-docx reads it back (a cell's style by its name)."""
    names = {style.style_id: style.name for style in doc.styles}
    return {
        "paragraphs": [(p.text, p.style.name) for p in doc.paragraphs],
        "sections": [(s.orientation, s.page_width, s.page_height) for s in doc.sections],
        "tables": [
            {
                "cells": [[cell.text for cell in row.cells] for row in table.rows],
                "styles": [[names[cell.paragraphs[0]._p.style] for cell in row.cells] for row in table.rows],
                "repeat": [
                    row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None for row in table.rows
                ],
            }
            for table in doc.tables
        ],
    }


@pytest.fixture
def kept(monkeypatch):
    """Keeps what word_rows.fill is given (the saved file without rows, the rows), still writing the file, in
    chunks of CHUNK rows."""
    seen = {}
    fill = word_rows.fill

    def keeping(skeleton, bodies):
        seen["skeleton"] = skeleton
        seen["bodies"] = [(list(rows), style_ids) for rows, style_ids in bodies]
        return fill(skeleton, seen["bodies"])

    monkeypatch.setattr(word_rows, "fill", keeping)
    monkeypatch.setattr(word_rows, "CHUNK_ROWS", CHUNK)
    return seen


def test_a_table_of_a_thousand_rows_reads_back_as_python_docx_makes_it(client, db, kept, media_root):
    version = Issue.objects.get(year=2019, number=11).current_version
    data = _many_rows(version.snapshot)
    documents.store(version, "docx", data=data)  # as render_documents makes it (in this test's media_root)
    response = client.get(URL)
    assert response.status_code == 200
    doc = Document(io.BytesIO(b"".join(response.streaming_content)))
    streamed = _read(doc)

    assert streamed == _read(_made_by_python_docx(kept["skeleton"], kept["bodies"]))
    big = streamed["tables"][0]
    frozen = data["tables"][0]["rows"]
    assert len(big["cells"]) == ROWS + 1
    assert big["cells"][1:] == [[r["unit"], *r["values"], r["deduction_text"]] for r in frozen]
    cell = doc.tables[0].rows[CHUNK].cells[0]  # spaces kept at either end, as Word reads them
    assert cell.text == AWKWARD[1] and cell.paragraphs[0].runs[0]._r.t_lst[0].get(qn("xml:space")) == "preserve"
    assert big["repeat"] == [True] + [False] * ROWS  # the header row repeats on every page, no other
    head, unit, value = big["styles"][0][0], big["styles"][1][0], big["styles"][1][1]
    assert len({head, unit, value}) == 3
    assert all(row == [unit] + [value] * (len(row) - 1) for row in big["styles"][1:])
    assert [len(t["cells"]) - 1 for t in streamed["tables"][1:]] == [len(t["rows"]) for t in data["tables"][1:]]


def test_a_control_character_is_refused_before_a_file_is_written(db, media_root):
    version = Issue.objects.get(year=2019, number=11).current_version
    data = _many_rows(version.snapshot)
    data["tables"][0]["rows"][-1]["unit"] = "单位\x01"
    with pytest.raises(ValueError):
        documents.store(version, "docx", data=data)
    assert not documents.is_stored(version, "docx")
