"""The one Excel writer streams: its memory does not grow with the rows, and its cells share a few styles.

Memory is measured with tracemalloc (allocations, not time): writing ten times the rows must not take
anywhere near ten times the memory, which a writer keeping its cells (openpyxl's normal mode) would.
"""

import datetime
import io
import tracemalloc
import zipfile

from openpyxl import load_workbook

from core.excel import Sheet, write_workbook

HEADER = ["单位", "指标一", "指标二", "指标三", "奖惩案例", "扣分情况"]


def _rows(n):
    # A generator, as the progress tables give them: the rows themselves are never all in memory.
    for i in range(n):
        yield [f"单位{i:05d}", "√", "*", "非考核项", i % 7, "扣2分（说明3）" if i % 5 == 0 else None]


def _sheets(n):
    return [Sheet(name="区镇", title="2019年第11期 区镇工作进展通报", header=HEADER, rows=_rows(n), notes=["1. 说明"])]


def _peak(n, path):
    tracemalloc.start()
    try:
        with open(path, "wb") as out:
            write_workbook(_sheets(n), out)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_writing_ten_times_the_rows_takes_about_the_same_memory(tmp_path):
    _peak(50, tmp_path / "warm.xlsx")  # imports and openpyxl's first-use caches out of the way
    small = _peak(1_000, tmp_path / "small.xlsx")
    large = _peak(10_000, tmp_path / "large.xlsx")
    # Kept cells would cost about 2 KB a row: 18 MB more for the large one. Streamed, it is the same.
    assert large < 1.5 * small, (small, large)
    rows = list(load_workbook(tmp_path / "large.xlsx", read_only=True)["区镇"].iter_rows(values_only=True))
    assert rows[2] == ("单位00000", "√", "*", "非考核项", 0, "扣2分（说明3）")
    assert rows[2 + 9_999] == ("单位09999", "√", "*", "非考核项", 9_999 % 7, None)
    assert rows[-1][0] == "1. 说明"


def test_every_cell_is_styled_from_a_handful_of_shared_styles():
    stream = write_workbook(_sheets(200), io.BytesIO(), at=datetime.datetime(2019, 11, 5, 8, tzinfo=datetime.UTC))
    wb = load_workbook(stream)
    ws = wb["区镇"]
    # title, header, first column, body, notes heading, note, plus openpyxl's default
    assert len(wb._cell_styles) <= 7
    assert ws["A1"].font.b and ws["A1"].font.sz == 14
    assert ws["B2"].font.b and ws["B2"].alignment.wrap_text and ws["B2"].border.top.style == "thin"
    assert ws["A3"].alignment.horizontal == "left" and ws["A3"].border.left.style == "thin"
    # An empty cell of the body keeps its printed border; its neighbours their values and style.
    assert ws["F4"].value is None and ws["F4"].border.bottom.style == "thin"
    assert ws["E202"].value == 199 % 7 and ws["E202"].alignment.horizontal == "center"
    assert ws["A205"].value == "1. 说明" and ws["A205"].border.left.style is None


def test_a_row_wider_than_the_header_is_written_whole_and_styled():
    rows = [["单位甲", "√", "*", "√", 1, None], ["单位乙", "√", "*", "√", 2, None, "多出的一列"], ("单位丙", "*")]
    sheet = Sheet(name="部门", title="标题", header=HEADER, rows=iter(rows))
    ws = load_workbook(write_workbook([sheet], io.BytesIO()))["部门"]
    assert [c.value for c in ws[4]] == ["单位乙", "√", "*", "√", 2, None, "多出的一列"]
    assert ws["G4"].border.left.style == "thin" and ws["G4"].alignment.horizontal == "center"
    assert [c.value for c in ws[5]][:2] == ["单位丙", "*"] and ws["A5"].alignment.horizontal == "left"


def test_a_published_time_stamps_every_entry_and_the_same_sheets_give_the_same_bytes():
    at = datetime.datetime(2019, 11, 5, 16, 30, 12, 345, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    first = write_workbook(_sheets(300), io.BytesIO(), at=at).getvalue()
    second = write_workbook(_sheets(300), io.BytesIO(), at=at).getvalue()
    assert first == second
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(first)).infolist()} == {(2019, 11, 5, 8, 30, 12)}
    properties = load_workbook(io.BytesIO(first)).properties
    assert properties.created == properties.modified == datetime.datetime(2019, 11, 5, 8, 30, 12)


def test_a_date_gets_its_number_format_and_leaves_the_other_cells_theirs():
    day = datetime.datetime(2019, 12, 31, 9, 30)
    rows = [["单位甲", "√", "*", "√", 1, None], ["单位乙", day, "*", "√", 2, None], ["单位丙", "√", "*", "√", 3, None]]
    sheet = Sheet(name="部门", title="标题", header=HEADER, rows=iter(rows))
    ws = load_workbook(write_workbook([sheet], io.BytesIO()))["部门"]
    assert ws["B4"].value == day and ws["B4"].is_date and ws["B4"].border.left.style == "thin"
    for ref in ("B3", "B5", "C4", "E4"):  # the shared body style is not changed by the date
        assert ws[ref].number_format == "General" and ws[ref].border.left.style == "thin", ref
    assert [ws["B5"].value, ws["E5"].value] == ["√", 3]
