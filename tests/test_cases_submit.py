"""A unit's reporter writes a case by the form, saves a draft, edits it and submits it; staff record cases too."""

import pytest

from assessment.models import Unit
from cases.models import Case, CaseChannel, CaseStatus

from .factories import pdf_upload

pytestmark = pytest.mark.usefixtures("media_root")


def case_data(**overrides):
    data = {
        "kind": "reward",
        "title": "信用承诺 助企纾困",
        "subtitle": "容缺受理 助企纾困",
        "subject": "昆山某汽车有限公司",
        "measure": "启动诚信企业“容缺受理”机制，先发副本营业执照。",
        "event_date": "2019-08-20",
        "quarter": "",
        "body": "第一段。\n\n第二段。",
        "action": "save",
    }
    data.update(overrides)
    return data


def test_reporter_saves_a_draft_with_an_attachment_and_the_quarter_follows_the_date(role_client, reporter_user):
    client = role_client("reporter")
    response = client.post("/cases/new/", case_data(attachments=[pdf_upload()]))
    case = Case.objects.get(title="信用承诺 助企纾困")
    assert response.status_code == 302 and response["Location"] == f"/cases/case/{case.pk}/"
    assert case.status == CaseStatus.DRAFT
    assert (case.year, case.quarter) == (2019, 3)
    assert case.source_unit == reporter_user.reporter.unit
    assert case.source_label == "市发改委"  # the unit's full name, as the bulletin prints it
    assert case.channel == CaseChannel.PORTAL
    assert case.created_by == reporter_user and case.submitted_by is None
    assert case.paragraphs() == ["第一段。", "第二段。"]
    attachment = case.attachments.get()
    assert attachment.name == "证明材料.pdf" and attachment.kind_label == "PDF"
    # Stored under MEDIA_ROOT with a random name, not the user's.
    assert attachment.file.name.startswith("cases/2019/") and "证明" not in attachment.file.name
    assert attachment.file.storage.exists(attachment.file.name)
    page = client.get(f"/cases/case/{case.pk}/").content.decode()
    assert "草稿" in page and "证明材料.pdf" in page and "新建 → 草稿" in page


def test_the_quarter_can_be_changed_by_hand(role_client):
    role_client("reporter").post("/cases/new/", case_data(event_date="2019-09-28", quarter="4"))
    case = Case.objects.get(title="信用承诺 助企纾困")
    assert (case.year, case.quarter) == (2019, 4)


def test_draft_is_edited_later_then_submitted(role_client, reporter_user):
    client = role_client("reporter")
    client.post("/cases/new/", case_data())
    case = Case.objects.get(title="信用承诺 助企纾困")
    assert client.get(f"/cases/case/{case.pk}/edit/").status_code == 200
    response = client.post(
        f"/cases/case/{case.pk}/edit/", case_data(title="改过的标题", attachments=[pdf_upload("补充.pdf")])
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == "改过的标题" and case.status == CaseStatus.DRAFT
    assert list(case.attachments.values_list("name", flat=True)) == ["补充.pdf"]
    response = client.post(f"/cases/case/{case.pk}/submit/")
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.submitted_by == reporter_user and case.submitted_at is not None
    assert [(t.from_status, t.to_status, t.by) for t in case.transitions.all()] == [
        ("", CaseStatus.DRAFT, reporter_user),
        (CaseStatus.DRAFT, CaseStatus.SUBMITTED, reporter_user),
    ]


def test_submit_straight_from_the_form(role_client):
    response = role_client("reporter").post("/cases/new/", case_data(action="submit"), follow=True)
    case = Case.objects.get(title="信用承诺 助企纾困")
    assert case.status == CaseStatus.SUBMITTED
    assert "案例已报送，请等待市信用办审核。" in response.content.decode()


def test_an_attachment_is_removed_from_a_draft_and_its_file_deleted(role_client, django_capture_on_commit_callbacks):
    client = role_client("reporter")
    client.post("/cases/new/", case_data(attachments=[pdf_upload("一.pdf"), pdf_upload("二.pdf")]))
    case = Case.objects.get(title="信用承诺 助企纾困")
    first = case.attachments.get(name="一.pdf")
    stored = first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/cases/case/{case.pk}/edit/", case_data(remove_attachments=[first.pk]))
    assert list(case.attachments.values_list("name", flat=True)) == ["二.pdf"]
    assert not first.file.storage.exists(stored)


def test_staff_record_a_case_on_a_units_behalf(role_client, staff_user):
    unit = Unit.objects.get(name="住建局")
    role_client("staff").post(
        "/cases/new/",
        case_data(source_unit=unit.pk, source_label="市住建局", channel=CaseChannel.EMAIL, action="submit"),
    )
    case = Case.objects.get(title="信用承诺 助企纾困")
    assert (case.source_unit, case.source_label, case.channel) == (unit, "市住建局", CaseChannel.EMAIL)
    assert case.status == CaseStatus.SUBMITTED and case.created_by == staff_user


def test_staff_record_a_source_that_is_not_an_assessed_unit(role_client):
    role_client("staff").post(
        "/cases/new/", case_data(kind="penalty", source_unit="", source_label="市“331”专班", channel="paper")
    )
    case = Case.objects.get(title="信用承诺 助企纾困")
    assert case.source_unit is None and case.source_label == "市“331”专班"
    assert case.printed_title == "失信惩戒·信用承诺 助企纾困"


def test_a_reporter_cannot_choose_another_unit(role_client, reporter_user):
    other = Unit.objects.get(name="住建局")
    role_client("reporter").post("/cases/new/", case_data(source_unit=other.pk, source_label="市住建局"))
    case = Case.objects.get(title="信用承诺 助企纾困")
    assert case.source_unit == reporter_user.reporter.unit and case.source_label == "市发改委"


def test_pasted_rich_text_becomes_plain_paragraphs(role_client):
    body = "<p>第一段<b>加粗</b>。</p><p>第二段 &amp; 附注&lt;1&gt;</p><div>第三段</div>"
    role_client("reporter").post("/cases/new/", case_data(body=body))
    case = Case.objects.get(title="信用承诺 助企纾困")
    assert case.paragraphs() == ["第一段加粗。", "第二段 & 附注<1>", "第三段"]
    page = role_client("reporter").get(f"/cases/case/{case.pk}/").content.decode()
    assert "附注&lt;1&gt;" in page and "<b>" not in page


def test_the_form_is_in_chinese_with_the_printed_kinds(role_client):
    page = role_client("reporter").get("/cases/new/").content.decode()
    for text in (
        "守信激励",
        "失信惩戒",
        "标题",
        "副标题",
        "奖惩对象",
        "采取的措施",
        "发生日期",
        "季度",
        "附件",
        "保存草稿",
        "报送",
    ):
        assert text in page
    assert 'name="source_unit"' not in page
    assert 'name="source_unit"' in role_client("staff").get("/cases/new/").content.decode()


def test_attachments_are_served_only_to_those_allowed(role_client, case_attachment):
    url = f"/cases/attachment/{case_attachment.pk}/"
    response = role_client("reporter").get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert role_client("other_reporter").get(url).status_code == 404
    assert role_client("anonymous").get(url).status_code == 302


def test_staff_correct_a_printed_case_that_has_no_date(role_client):
    case = Case.objects.get(source_label="市住建局")
    assert case.event_date is None
    data = case_data(
        kind=case.kind,
        title=case.title,
        subtitle="",
        body=case.body,
        event_date="",
        quarter=str(case.quarter),
        source_unit=case.source_unit_id,
        source_label="市住房和城乡建设局",
        channel="email",
    )
    assert role_client("staff").post(f"/cases/case/{case.pk}/edit/", data).status_code == 302
    case.refresh_from_db()
    assert (case.source_label, case.status, case.year, case.quarter) == ("市住房和城乡建设局", "accepted", 2019, 4)


def test_deleting_a_case_in_the_admin_leaves_no_file(
    role_client, case_attachment, media_root, django_capture_on_commit_callbacks
):
    stored = case_attachment.file.name
    assert case_attachment.file.storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):
        case_attachment.case.delete()
    assert not case_attachment.file.storage.exists(stored)
