"""Following a unit or an indicator, and the daily digest of what changed there, with its unfollow link."""

import io
import re

import pytest
from django.core.management import call_command

from assessment.marks.services import set_mark
from assessment.models import Mark, Unit
from assessment.notify.models import Delivery, Follow
from cases.models import CaseStatus
from cases.services import accept_case

from .factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance():
    return Unit.objects.get(name="财政局")


@pytest.fixture
def people(staff_user, leader_user):
    staff_user.email, staff_user.first_name = "office@ks.gov.cn", "王"
    staff_user.save()
    leader_user.email = "leader@ks.gov.cn"
    leader_user.save()
    return staff_user, leader_user


def digests():
    out = io.StringIO()
    call_command("send_digests", stdout=out)
    return out.getvalue()


def follow_through_the_page(client, page_url, label):
    page = client.get(page_url).content.decode()
    assert label in page
    form = re.search(r'<form method="post" action="/units/follow/".*?</form>', page, re.S).group(0)
    fields = dict(re.findall(r'name="(unit|indicator|next)" value="([^"]*)"', form))
    response = client.post("/units/follow/", fields)
    assert response.status_code == 302 and response["Location"] == fields["next"]
    assert "已关注 · 取消关注" in client.get(page_url).content.decode()


def test_staff_follow_a_unit_and_leaders_an_indicator_from_their_pages(role_client, people, finance):
    staff, leader = people
    follow_through_the_page(role_client("staff"), f"/units/{finance.pk}/", "关注本单位")
    mark = Mark.objects.get(unit=finance, indicator__order=9)
    grid = f"/assessment/2019/departments/?indicator={mark.indicator_id}"
    follow_through_the_page(role_client("leader"), grid, "关注该指标")
    assert Follow.objects.get(user=staff).unit == finance
    assert Follow.objects.get(user=leader).indicator_id == mark.indicator_id
    # without an indicator chosen, the grid shows no follow button
    assert "关注该指标" not in role_client("leader").get("/assessment/2019/departments/").content.decode()
    # and the button stops following
    client = role_client("staff")
    client.post("/units/follow/", {"unit": finance.pk, "action": "unfollow", "next": f"/units/{finance.pk}/"})
    assert not Follow.objects.filter(user=staff).exists()


def test_reporters_cannot_follow_and_see_no_button(role_client, reporter_unit):
    client = role_client("reporter")
    assert "关注本单位" not in client.get(f"/units/{reporter_unit.pk}/").content.decode()
    assert (
        client.post("/units/follow/", {"unit": reporter_unit.pk}).status_code == 404
    )  # outside a reporter's reach (assessment.access)
    assert not Follow.objects.exists()


def test_each_follower_gets_one_digest_of_what_changed_since_the_last(smtp_server, people, finance, settings):
    settings.SITE_URL = "https://credit.ks.gov.cn"
    staff, leader = people
    publicity = Mark.objects.get(unit=finance, indicator__order=9)
    education = Mark.objects.get(unit__name="教育局", indicator=publicity.indicator)
    other = Mark.objects.get(unit__name="人武部", indicator__order=2)
    set_mark(publicity, "√", staff)  # before anyone follows: in no digest
    Follow.objects.create(user=staff, unit=finance)
    Follow.objects.create(user=leader, indicator=publicity.indicator)

    set_mark(publicity, "*", staff)
    set_mark(education, "*", staff)
    set_mark(other, "√", staff)  # nobody follows 人武部 or that column
    case = CaseFactory(source_unit=finance, year=2019, quarter=4, title="守信企业", status=CaseStatus.SUBMITTED)
    accept_case(case, staff)

    out = digests()
    assert "王 <office@ks.gov.cn>：2 项变化" in out and "t_leader <leader@ks.gov.cn>：2 项变化" in out
    mails = {m["to"][0]: m for m in smtp_server.messages}
    assert set(mails) == {"office@ks.gov.cn", "leader@ks.gov.cn"}
    office = mails["office@ks.gov.cn"]
    assert office["subject"].startswith("【昆山信用】关注动态摘要（")  # the office row's one tag, as for cases
    body = office["body"]
    assert "【财政局】" in body
    assert "财政局 · 诚信专题宣传任务：由“√”改为“*”（王，表格录入）" in body  # the old value too
    assert "改为“√”" not in body  # the change made before the follow
    assert f"财政局 · 案例“守信企业”已采用（王）  https://credit.ks.gov.cn/cases/case/{case.pk}/" in body
    assert f"https://credit.ks.gov.cn/units/{finance.pk}/?year=2019" in body
    assert "教育局" not in body and "人武部" not in body
    unfollow = re.search(r"不再关注“财政局”：(https://credit\.ks\.gov\.cn/units/unfollow/\S+/)", body).group(1)
    leader_body = mails["leader@ks.gov.cn"]["body"]
    assert "【2019年 诚信专题宣传任务】" in leader_body
    assert re.search("教育局 · 诚信专题宣传任务：由“.+?”改为“\\*”", leader_body)
    assert "财政局 · 诚信专题宣传任务：由“√”改为“*”" in leader_body
    assert "案例" not in leader_body
    assert Delivery.objects.filter(kind="digest", status="ok").count() == 2

    # nothing new: no digest; one more change: only that one
    digests()
    assert len(smtp_server.messages) == 2
    set_mark(Mark.objects.get(pk=publicity.pk), "√", staff)
    digests()
    assert len(smtp_server.messages) == 4
    newest = smtp_server.messages[-1]["body"]
    assert newest.count("诚信专题宣传任务：由“*”改为“√”") == 1 and "案例" not in newest
    assert unfollow.startswith("https://")


def test_the_unfollow_link_works_without_signing_in(client, people, finance, smtp_server):
    staff, _ = people
    Follow.objects.create(user=staff, unit=finance)
    set_mark(Mark.objects.get(unit=finance, indicator__order=9), "√", staff)
    digests()
    body = smtp_server.messages[0]["body"]
    link = re.search(r"不再关注“财政局”：http://127\.0\.0\.1:8000(/units/unfollow/\S+/)", body).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "确认不再关注“财政局”" in page.content.decode()
    assert Follow.objects.filter(user=staff).exists()  # a GET (a mail scanner) changes nothing
    done = client.post(link)
    assert "已取消关注“财政局”" in done.content.decode()
    assert not Follow.objects.filter(user=staff).exists()
    assert client.post(link).status_code == 404  # used up


def test_a_forged_unfollow_link_is_refused(client, people, finance):
    staff, leader = people
    follow = Follow.objects.create(user=staff, unit=finance)
    from assessment.notify.follows import unfollow_token

    token = unfollow_token(follow)
    assert client.post(f"/units/unfollow/{token[:-2]}xx/").status_code == 404
    assert Follow.objects.filter(pk=follow.pk).exists()


def test_a_follower_without_an_email_is_shown_as_unreachable(people, finance, smtp_server):
    staff, _ = people
    staff.email = ""
    staff.save()
    Follow.objects.create(user=staff, unit=finance)
    set_mark(Mark.objects.get(unit=finance, indicator__order=9), "√", staff)
    digests()
    delivery = Delivery.objects.get(kind="digest")
    assert delivery.status == "unreachable" and "没有邮箱" in delivery.error
    assert smtp_server.messages == []


def test_dry_run_sends_and_moves_nothing(people, finance, smtp_server):
    staff, _ = people
    follow = Follow.objects.create(user=staff, unit=finance)
    set_mark(Mark.objects.get(unit=finance, indicator__order=9), "√", staff)
    out = io.StringIO()
    call_command("send_digests", "--dry-run", stdout=out)
    assert "王 <office@ks.gov.cn>：1 项变化" in out.getvalue() and "试运行" in out.getvalue()
    assert smtp_server.messages == [] and not Delivery.objects.exists()
    assert Follow.objects.get(pk=follow.pk).digested_until == follow.digested_until


def test_a_change_followed_twice_is_listed_once(smtp_server, people, finance):
    """Following 财政局 and the column 诚信专题宣传任务: a change of 财政局 in that column is one line."""
    staff, _ = people
    publicity = Mark.objects.get(unit=finance, indicator__order=9)
    Follow.objects.create(user=staff, unit=finance)
    Follow.objects.create(user=staff, indicator=publicity.indicator)
    set_mark(publicity, "√", staff)
    digests()
    [mail] = smtp_server.messages
    assert mail["body"].count("财政局 · 诚信专题宣传任务：由“*”改为“√”") == 1
