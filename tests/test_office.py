"""The office's identity is data: staff edit it in the browser and every page, e-mail and feed follows."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from bulletins.models import Issue
from cases import services as case_services
from cases.models import CaseStatus
from core.office.models import Office, get_office

from .conftest import log_in
from .factories import CaseFactory, UserFactory

ROOT = Path(__file__).resolve().parents[1]


def _form(**changes):
    office = get_office()
    data = {f: getattr(office, f) for f in ("name", "short_name", "city", "site_title", "series_title")}
    data |= {f: getattr(office, f) for f in ("subtitle", "mail_tag", "report_to", "send_to", "editor")}
    data |= {f: getattr(office, f) for f in ("email", "reviewers", "phone")}
    return data | changes


def test_the_demo_loads_kunshans_office(db):
    office = get_office()
    assert office.name == "昆山市社会信用体系建设领导小组办公室" and office.short_name == "市信用办"
    assert office.series_title == "昆山信用体系建设" and office.email == "xyxxzx@ks.gov.cn"


def test_staff_rename_the_office_and_the_site_follows(role_client):
    staff = role_client("staff")
    page = staff.post("/office/", _form(site_title="苏州信用体系建设", name="苏州市信用办公室"), follow=True)
    text = page.content.decode()
    assert "本办信息已保存" in text
    assert "<title>本办信息 · 苏州信用体系建设</title>" in text and 'class="site-name"' in text
    admin = UserFactory(username="t_office_admin", is_staff=True, is_superuser=True)
    admin_client = Client()
    log_in(admin_client, admin)
    assert "苏州信用体系建设管理" in admin_client.get("/admin/").content.decode()
    feed = role_client("anonymous").get("/bulletins/feed/").content.decode()
    assert "苏州市信用办公室" in feed
    assert role_client("staff").get("/api/v1/schema/?format=json").json()["info"]["title"] == "苏州信用体系建设 接口"


def test_a_refused_form_keeps_the_office(role_client):
    page = role_client("staff").post("/office/", _form(name=""))
    assert page.status_code == 200 and "该字段是必填项" in page.content.decode()
    assert Office.objects.get().name == "昆山市社会信用体系建设领导小组办公室"


def test_leaders_see_but_may_not_change_it(role_client):
    assert role_client("leader").post("/office/", _form(name="别的")).status_code == 403
    assert Office.objects.get().name == "昆山市社会信用体系建设领导小组办公室"


def test_case_emails_are_signed_and_tagged_with_the_office(reporter_unit, reporter_user, staff_user, mailoutbox):
    office = get_office()
    office.mail_tag, office.short_name = "苏州信用", "苏州市信用办"
    office.save()
    reporter_user.email = "fgw@example.gov.cn"
    reporter_user.save()
    case = CaseFactory(
        source_unit=reporter_unit, year=2019, quarter=3, status=CaseStatus.SUBMITTED, submitted_by=reporter_user
    )
    case_services.accept_case(case, staff_user)
    call_command("send_queued", stdout=io.StringIO())  # notices go through the queue
    # signed as reminders are: 全称（简称）
    assert mailoutbox[0].subject.startswith("【苏州信用】") and mailoutbox[0].body.rstrip().endswith("（苏州市信用办）")


@pytest.mark.parametrize("folder", ["assessment", "bulletins", "cases", "kunshan_credit", "templates"])
def test_nothing_kunshan_specific_lives_in_code(folder):
    """The city's names are data (the demo's JSON); code and templates name no city."""
    found = []
    for path in (ROOT / folder).rglob("*"):
        if path.suffix in {".py", ".html", ".txt"} and "migrations" not in path.parts and "demo" not in path.parts:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if re.search("昆山", line):
                    found.append(f"{path.relative_to(ROOT)}:{number}")
    assert found == []


def test_after_the_office_is_renamed_a_new_issue_prints_the_new_names(role_client):
    """2019 第11期 published; the office changes its names at /office/; 第12期 takes them, not 第11期's."""
    staff = role_client("staff")
    staff.post("/office/", _form(name="苏州市信用办公室", series_title="苏州信用体系建设", editor="新编辑"))
    response = staff.post("/bulletins/new/", {"year": 2019, "number": 12, "date": "2019-12-20", "with_tables": "on"})
    assert response.status_code == 302
    issue = Issue.objects.get(year=2019, number=12)
    assert (issue.issuer, issue.series_title, issue.editor) == ("苏州市信用办公室", "苏州信用体系建设", "新编辑")
    page = staff.get("/bulletins/2019/12/edit/").content.decode()
    assert "苏州信用体系建设" in page


def test_a_site_title_change_keeps_the_previous_issues_masthead(role_client):
    """Only the names and defaults of the masthead count: the previous issue's own edits carry on."""
    staff = role_client("staff")
    previous = Issue.objects.get(year=2019, number=11)
    Issue.objects.filter(pk=previous.pk).update(editor="第11期的编辑")
    staff.post("/office/", _form(site_title="别的网站名称"))
    staff.post("/bulletins/new/", {"year": 2019, "number": 12, "date": "2019-12-20", "with_tables": "on"})
    assert Issue.objects.get(year=2019, number=12).editor == "第11期的编辑"
