"""Requests about * items: a reporter submits (done / 情况说明), the office accepts or returns, per role."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.marks.services import HOW, set_mark
from assessment.models import Mark, MarkRequest, SchemeUnit

from .factories import IndicatorFactory, SchemeFactory

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer<<>>\n%%EOF\n"


def _mark(unit_name, order, year=2019):
    return Mark.objects.get(unit__name=unit_name, indicator__order=order, indicator__scheme__year=year)


@pytest.fixture
def pending(reporter_unit, staff_user):
    """发改委's 信用审查 column (allows 已说明情况) set back to * by the office."""
    return set_mark(_mark("发改委", 5), "*", staff_user)


def _url(mark):
    return f"/units/{mark.unit_id}/marks/{mark.pk}/request/"


def _files(media_root):
    return sorted(p.name for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


def _submit(client, mark, kind="done", text="已在行政审批中开展信用审查。", attachment=None):
    data = {"kind": kind, "text": text}
    if attachment is not None:
        data["attachment"] = attachment
    return client.post(_url(mark), data)


def test_reporter_reports_done_with_evidence_and_the_office_accepts(
    role_client, pending, reporter_user, staff_user, media_root
):
    client = role_client("reporter")
    form = client.get(_url(pending))
    assert form.status_code == 200 and "报告已完成" in form.content.decode()
    response = _submit(client, pending, attachment=SimpleUploadedFile("审查记录.pdf", PDF))
    assert response.status_code == 302 and response["Location"] == f"/units/{pending.unit_id}/"
    request = MarkRequest.objects.get()
    assert (request.kind, request.status, request.submitted_by) == ("done", "submitted", reporter_user)
    assert request.attachment_name == "审查记录.pdf" and request.attachment.name.startswith("mark_requests/")
    assert len(_files(media_root)) == 1
    pending.refresh_from_db()
    assert pending.state == "*"  # nothing changes before the office decides

    staff = role_client("staff")
    queue = staff.get("/units/requests/").content.decode()
    assert "发改委" in queue and "通过（改为“√”）" in queue
    response = staff.post(f"/units/requests/{request.pk}/accept/", {"version": pending.version})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == "√"
    entry = pending.history.first()
    assert (entry.history_change_reason, entry.history_user) == (HOW.REQUEST, staff_user)
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("accepted", staff_user)
    page = role_client("reporter").get(f"/units/{pending.unit_id}/").content.decode()
    assert "已通过" in page and HOW.REQUEST in page


def test_explanation_accepted_becomes_the_columns_own_wording(role_client, pending, staff_user):
    _submit(role_client("reporter"), pending, kind="explained", text="条线规定未明确，无法开展。")
    request = MarkRequest.objects.get()
    role_client("staff").post(f"/units/requests/{request.pk}/accept/")
    pending.refresh_from_db()
    assert pending.state == "已说明情况"
    # A column whose wording is 已说明:
    other = set_mark(_mark("发改委", 4), "*", staff_user)
    _submit(role_client("reporter"), other, kind="explained", text="客观原因。")
    role_client("staff").post(f"/units/requests/{MarkRequest.objects.get(mark=other).pk}/accept/")
    other.refresh_from_db()
    assert other.state == "已说明"


def test_office_returns_with_a_reason_and_the_reporter_may_try_again(role_client, pending, staff_user):
    _submit(role_client("reporter"), pending)
    request = MarkRequest.objects.get()
    staff = role_client("staff")
    response = staff.post(f"/units/requests/{request.pk}/return/", {"reason": "  "}, follow=True)
    assert "请填写理由" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "submitted"
    staff.post(f"/units/requests/{request.pk}/return/", {"reason": "请附上审查记录"})
    request.refresh_from_db()
    assert (request.status, request.reason, request.decided_by) == ("returned", "请附上审查记录", staff_user)
    pending.refresh_from_db()
    assert pending.state == "*"
    page = role_client("reporter").get(f"/units/{pending.unit_id}/").content.decode()
    assert "已退回" in page and "请附上审查记录" in page and "报告已完成" in page
    assert _submit(role_client("reporter"), pending).status_code == 302
    assert MarkRequest.objects.filter(status="submitted").count() == 1


def test_a_second_submit_makes_no_second_request_and_leaves_no_file(role_client, pending, media_root):
    client = role_client("reporter")
    _submit(client, pending, attachment=SimpleUploadedFile("a.pdf", PDF))
    again = _submit(client, pending, attachment=SimpleUploadedFile("a.pdf", PDF))
    assert again.status_code == 400 and "已有待审核的申请" in again.content.decode()
    assert MarkRequest.objects.count() == 1 and len(_files(media_root)) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("证明.pdf", b"<html><script>alert(1)</script>", "内容不是PDF"),
        ("证明.exe", b"MZ\x90\x00", "不支持"),
        ("证明.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "超过 10 MB"),
    ],
)
def test_spoofed_or_oversized_attachments_are_refused(role_client, pending, media_root, name, content, message):
    response = _submit(role_client("reporter"), pending, attachment=SimpleUploadedFile(name, content))
    assert response.status_code == 400 and message in response.content.decode()
    assert not MarkRequest.objects.exists() and _files(media_root) == []


def test_only_items_marked_star_of_the_current_year(role_client, reporter_unit, media_root):
    client = role_client("reporter")
    done = _mark("发改委", 1)  # √ as printed
    response = client.get(_url(done), follow=True)
    assert "只有标记为“*”的项目可以申请" in response.content.decode()
    response = _submit(client, done, attachment=SimpleUploadedFile("a.pdf", PDF))
    assert response.status_code == 400 and "只有标记为“*”" in response.content.decode()
    scheme = SchemeFactory(year=2018, category=reporter_unit.category)
    SchemeUnit.objects.create(scheme=scheme, unit=reporter_unit, order=1)
    old = Mark.objects.create(unit=reporter_unit, indicator=IndicatorFactory(scheme=scheme, order=1), state="*")
    response = _submit(client, old)
    assert response.status_code == 400 and "只能对当前年度（2019年度）的项目提出申请" in response.content.decode()
    assert not MarkRequest.objects.exists() and _files(media_root) == []


def test_explanation_refused_where_the_column_has_no_explained_wording(role_client, reporter_unit, staff_user):
    from assessment.models import Indicator

    indicator = Indicator.objects.get(scheme__year=2019, scheme__category__slug="departments", order=3)
    indicator.allowed_states = ["√", "*", "非考核项"]
    indicator.save()
    mark = set_mark(_mark("发改委", 3), "*", staff_user)
    response = _submit(role_client("reporter"), mark, kind="explained")
    assert response.status_code == 400 and "不接受情况说明" in response.content.decode()
    assert not MarkRequest.objects.exists()


def test_forged_fields_and_other_units_are_refused(role_client, pending, other_unit, staff_user):
    client = role_client("reporter")
    response = _submit(client, pending, kind="approve")
    assert response.status_code == 400
    # Another unit's mark through one's own unit in the URL, and another unit's URL.
    theirs = set_mark(_mark("教育局", 5), "*", staff_user)
    assert (
        client.post(f"/units/{pending.unit_id}/marks/{theirs.pk}/request/", {"kind": "done", "text": "x"}).status_code
        == 404
    )
    assert _submit(client, theirs).status_code == 404
    assert _submit(role_client("other_reporter"), pending).status_code == 404
    assert _submit(role_client("leader"), pending).status_code == 403
    assert _submit(role_client("staff"), pending).status_code == 403
    assert not MarkRequest.objects.exists()


def test_accept_is_refused_when_the_mark_changed_since(role_client, pending, reporter_user, leader_user):
    _submit(role_client("reporter"), pending)
    request = MarkRequest.objects.get()
    staff = role_client("staff")
    seen = pending.version
    set_mark(pending, "非考核项", leader_user)  # changed elsewhere after the queue was loaded
    response = staff.post(f"/units/requests/{request.pk}/accept/", {"version": seen}, follow=True)
    assert "已不是“*”" in response.content.decode()
    set_mark(pending, "*", leader_user)
    response = staff.post(f"/units/requests/{request.pk}/accept/", {"version": seen}, follow=True)
    assert "已被t_leader修改为“*”" in response.content.decode()
    response = staff.post(f"/units/requests/{request.pk}/accept/", {"version": "1 OR 1=1"}, follow=True)
    assert "表单数据不正确" in response.content.decode()
    pending.refresh_from_db()
    request.refresh_from_db()
    assert pending.state == "*" and request.status == "submitted"


def test_decisions_are_made_once_and_only_by_the_office(role_client, pending):
    _submit(role_client("reporter"), pending)
    request = MarkRequest.objects.get()
    for role, status in (("leader", 403), ("reporter", 404), ("other_reporter", 404), ("anonymous", 302)):
        assert role_client(role).post(f"/units/requests/{request.pk}/accept/").status_code == status
        assert role_client(role).post(f"/units/requests/{request.pk}/return/", {"reason": "x"}).status_code == status
    request.refresh_from_db()
    assert request.status == "submitted"
    staff = role_client("staff")
    staff.post(f"/units/requests/{request.pk}/accept/")
    response = staff.post(f"/units/requests/{request.pk}/return/", {"reason": "晚了"}, follow=True)
    assert "该申请已处理（已通过）" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "accepted" and pending.history.count() == 3


def test_attachment_served_to_the_office_leaders_and_the_units_reporters_only(role_client, pending, media_root):
    _submit(role_client("reporter"), pending, attachment=SimpleUploadedFile("审查记录.pdf", PDF))
    url = f"/units/requests/{MarkRequest.objects.get().pk}/attachment/"
    for role in ("staff", "leader", "reporter"):
        response = role_client(role).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert "attachment" in response["Content-Disposition"] and response["X-Content-Type-Options"] == "nosniff"
    assert role_client("other_reporter").get(url).status_code == 404
    assert role_client("anonymous").get(url).status_code == 302


def test_queue_queries_stay_flat(role_client, staff_user, reporter_user):
    staff = role_client("staff")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert staff.get("/units/requests/?status=all").status_code == 200
        return len(ctx.captured_queries)

    def add(units):
        for mark in Mark.objects.filter(unit__name__in=units, indicator__order=2, indicator__scheme__year=2019):
            if mark.state != "*":
                mark = set_mark(mark, "*", staff_user)
            MarkRequest.objects.create(mark=mark, kind="done", text="好了", submitted_by=reporter_user)

    add(["财政局"])
    few = queries()
    add(["烟草专卖局", "发改委", "教育局", "科技局", "公安局"])
    assert queries() == few
