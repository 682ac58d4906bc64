"""A Python client generated from the live schema (openapi-python-client) drives one call of every write
operation the schema names, as the office's and a unit's systems would, and reads each change back through
the same client. A write operation added to the API without a call here fails the test."""

import importlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command

from bulletins.models import Issue
from cases.models import Case, CaseStatus

pytestmark = pytest.mark.django_db(transaction=True)

WRITES = {"post", "put", "patch", "delete"}

# Every write operation of the schema, in the order the drive below calls them.
DRIVEN = [
    "cases_create",
    "cases_partial_update",
    "cases_submit_create",
    "cases_withdraw_create",
    "cases_return_create",
    "cases_accept_create",
    "cases_bulletin_create",
    "marks_partial_update",
    "marks_batch_create",
    "issues_publish_create",
]


def _token(username, *extra):
    """The account's token from the command scripts use (here, in the live server's own database)."""
    buffer = io.StringIO()
    call_command("api_token", username, *extra, stdout=buffer)
    return buffer.getvalue().strip()


@pytest.fixture
def served(live_server, demo_db, reporter_user, tmp_path):
    """The live server, tokens of the office's system account and of 发改委's reporter, and the client package
    generated from the schema that server answers."""
    office = _token("office_system", "--system")
    reporter = _token(reporter_user.username)
    schema = httpx.get(f"{live_server.url}/api/v1/schema/?format=json", headers={"Authorization": f"Token {office}"})
    assert schema.status_code == 200, schema.text[:300]
    (tmp_path / "schema.json").write_bytes(schema.content)
    tools = Path(sys.executable).parent
    made = subprocess.run(
        [str(tools / "openapi-python-client"), "generate", "--path", "schema.json", "--meta", "none"]
        + ["--output-path", "kc_client"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert made.returncode == 0, made.stdout + made.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        import kc_client

        yield live_server.url, office, reporter, json.loads(schema.content), kc_client
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == "kc_client" or n.startswith("kc_client.")]:
            del sys.modules[name]


def _call(kc_client, module, ok, **kwargs):
    """Call an operation of the generated client; its status must be `ok`; returns the parsed body."""
    tag = module.split("_", 1)[0]
    operation = importlib.import_module(f"kc_client.api.{tag}.{module}")
    response = operation.sync_detailed(**kwargs)
    assert response.status_code == ok, (module, response.status_code, response.content.decode()[:400])
    return response.parsed


def test_a_generated_client_does_each_write_of_the_schema_and_reads_it_back(served):
    base, office_token, reporter_token, schema, kc_client = served
    writes = {op["operationId"] for ops in schema["paths"].values() for method, op in ops.items() if method in WRITES}
    assert writes == set(DRIVEN)  # a write added to the API is driven below too
    from kc_client.models import (
        BulletinRequest,
        CaseWriteRequest,
        MarkBatchRequest,
        MarkWriteRequest,
        PatchedCaseWriteRequest,
        PublishRequest,
        ReasonRequest,
        WithdrawRequest,
    )

    office = kc_client.AuthenticatedClient(base_url=base, token=office_token, prefix="Token")
    unit = kc_client.AuthenticatedClient(base_url=base, token=reporter_token, prefix="Token")
    called = []

    def call(module, ok, **kwargs):
        called.append(module)
        return _call(kc_client, module, ok, **kwargs)

    # A unit's system: a draft case, corrected, submitted, withdrawn, submitted again.
    draft = CaseWriteRequest.from_dict(
        {
            "kind": "penalty",
            "title": "拒不整改 纳入黑名单",
            "subject": "某出租房屋房东",
            "measure": "纳入失信黑名单，限制申报市级专项资金。",
            "event_date": "2019-10-12",
            "body": "第一段。\n第二段。",
        }
    )
    case = call("cases_create", 201, client=unit, body=draft)
    case_id = str(case.id)
    call(
        "cases_partial_update", 200, client=unit, id=case_id, body=PatchedCaseWriteRequest(title="拒不整改 列入黑名单")
    )
    call("cases_submit_create", 200, client=unit, id=case_id)
    call("cases_withdraw_create", 200, client=unit, id=case_id, body=WithdrawRequest(reason="补充材料后再报。"))
    assert _call(kc_client, "cases_retrieve", 200, client=unit, id=case_id).status.value == "withdrawn"
    _call(kc_client, "cases_submit_create", 200, client=unit, id=case_id)

    # The office's system: returned with a reason, submitted again by the unit, accepted, chosen for the bulletin.
    call("cases_return_create", 200, client=office, id=case_id, body=ReasonRequest(reason="请补充处罚决定书的文号。"))
    _call(kc_client, "cases_submit_create", 200, client=unit, id=case_id)
    call("cases_accept_create", 200, client=office, id=case_id)
    call("cases_bulletin_create", 200, client=office, id=case_id, body=BulletinRequest(for_bulletin=True))
    read = _call(kc_client, "cases_retrieve", 200, client=office, id=case_id)
    assert (read.title, read.status.value) == ("拒不整改 列入黑名单", "accepted")
    stored = Case.objects.get(pk=case.id)
    assert stored.status == CaseStatus.ACCEPTED and stored.for_bulletin

    # The office's system: one cell, then a batch of two, each with the version it read.
    listed = _call(kc_client, "marks_list", 200, client=office, year=2019, value="*", page_size=50)
    cells = [m for m in listed.results if not m.derived][:3]
    assert len(cells) == 3
    first = cells[0]
    call(
        "marks_partial_update",
        200,
        client=office,
        id=str(first.id),
        body=MarkWriteRequest(value="√", version=first.version),
    )
    assert _call(kc_client, "marks_retrieve", 200, client=office, id=str(first.id)).value == "√"
    changes = [{"id": m.id, "value": "√", "version": m.version} for m in cells[1:]]
    call(
        "marks_batch_create",
        200,
        client=office,
        body=MarkBatchRequest.from_dict({"description": "接口客户端", "changes": changes}),
    )
    for m in cells[1:]:
        assert _call(kc_client, "marks_retrieve", 200, client=office, id=str(m.id)).value == "√"

    # The office's system: a correction of the published issue, its tables brought up to the cells just changed.
    issue = Issue.objects.filter(is_published=True).order_by("-year", "-number").first()
    published = call(
        "issues_publish_create",
        200,
        client=office,
        id=str(issue.pk),
        body=PublishRequest(reason="按最新完成情况更新表格。", keep_tables=False),
    )
    assert published.is_published
    assert issue.versions.count() == 2

    assert called == DRIVEN  # each write of the schema once, in the list's order
