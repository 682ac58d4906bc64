"""Details of how things print: a typed kind prefix prints once, a reporter's case is signed with the
unit's full name as the bulletin prints it, the feed's summary ends in one full stop."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from bulletins import services as bulletin_services
from bulletins.models import Issue
from cases import services
from cases.models import Case

ATOM = "{http://www.w3.org/2005/Atom}"

pytestmark = pytest.mark.usefixtures("media_root")


def _data(**changes):
    data = {
        "kind": "reward",
        "title": "守信激励·企业燃眉之急“马上办”",
        "subtitle": "",
        "subject": "某科技有限公司",
        "measure": "",
        "event_date": datetime.date(2019, 8, 20),
        "quarter": None,
        "body": "第一段。",
    }
    return data | changes


@pytest.mark.parametrize(
    "typed", ["守信激励·企业燃眉之急“马上办”", "守信激励 · 企业燃眉之急“马上办”", "守信激励：企业燃眉之急“马上办”"]
)
def test_a_typed_kind_prefix_prints_once(reporter_user, typed):
    case = services.create_case(reporter_user, _data(title=typed))
    assert case.title == "企业燃眉之急“马上办”"
    assert case.printed_title == "守信激励·企业燃眉之急“马上办”"


def test_the_prefix_is_stripped_when_a_case_is_edited_too(reporter_user):
    case = services.create_case(reporter_user, _data(title="信用承诺"))
    case = services.update_case(case, reporter_user, _data(title="失信惩戒·信用承诺", kind="penalty"))
    assert Case.objects.get(pk=case.pk).printed_title == "失信惩戒·信用承诺"


def test_a_title_that_only_mentions_the_kind_keeps_it(reporter_user):
    case = services.create_case(reporter_user, _data(title="守信激励措施助企纾困"))
    assert case.title == "守信激励措施助企纾困"


def test_a_reporters_case_is_signed_as_the_bulletin_prints_its_unit(role_client, reporter_user):
    """市 + the department's name (the demo's full names): (市发改委), like (市行政审批局) in the print."""
    case = services.create_case(reporter_user, _data())
    assert case.source_label == "市发改委"
    html = role_client("reporter").get(f"/cases/case/{case.pk}/").content.decode()
    assert "（市发改委）" in html


def test_a_correction_reason_with_its_own_full_stop_ends_in_one(client, staff_user):
    issue = Issue.objects.get(year=2019, number=11)
    bulletin_services.add_news(issue, text="11月27日，补充一条简讯。")
    bulletin_services.publish_issue(issue, staff_user, reason="更正一处错字。")
    feed = ET.fromstring(client.get("/bulletins/feed/").content)
    summary = next(e for e in feed.iter(f"{ATOM}entry")).find(f"{ATOM}summary").text
    assert summary.startswith("更正原因：更正一处错字。") and "。。" not in summary
