"""Bad input is refused with a clear message in Chinese; nothing is written and no file is left behind."""

import datetime

import pytest
from django.apps import apps

from assessment.models import Unit
from cases import services
from cases.models import Case, CaseAttachment, CaseCountRecord, CaseStatus, CaseTransition
from core import uploads
from core.errors import DomainError

from .factories import CaseFactory, pdf_upload

pytestmark = pytest.mark.usefixtures("media_root")


def case_data(**overrides):
    data = {
        "kind": "penalty",
        "title": "拒不整改 纳入黑名单",
        "subject": "某出租房屋房东",
        "measure": "纳入失信黑名单，限制申报市级专项资金。",
        "event_date": "2019-10-12",
        "quarter": "",
        "body": "正文一段。",
        "action": "submit",
    }
    data.update(overrides)
    return data


def _written():
    """Rows of every case model: a refusal leaves all of them unchanged."""
    return {m._meta.label: m.objects.count() for m in apps.get_app_config("cases").get_models()}


def _files(media_root):
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


@pytest.fixture
def nothing_written(db, media_root):
    before = _written()
    yield
    assert _written() == before
    assert _files(media_root) == []


def _refused(response, message):
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert message in page, page[page.find("form-error") - 200 : page.find("form-error") + 400]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"event_date": "2018-05-01"}, "2018年还没有考核方案"),
        ({"quarter": "5"}, "季度只能是1至4。"),
        ({"quarter": "0"}, "季度只能是1至4。"),
        ({"event_date": (datetime.date.today() + datetime.timedelta(days=1)).isoformat()}, "发生日期不能晚于今天。"),
        ({"event_date": "2019-02-30"}, "日期"),
        ({"title": ""}, "标题不能为空。"),
        ({"title": "   "}, "标题不能为空。"),
        ({"body": ""}, "正文不能为空。"),
        ({"body": "<p> </p><br>"}, "正文不能为空。"),
        ({"kind": "praise"}, "选择一个有效的选项"),
        ({"subject": ""}, "请填写奖惩对象。"),
        ({"body": "<script>alert(1)</script>正文"}, "正文中含有脚本或网页代码"),
        ({"body": "正文<img src=x onerror=alert(1)>"}, "正文中含有脚本或网页代码"),
        ({"body": "&lt;script&gt;alert(1)&lt;/script&gt;"}, "正文中含有脚本或网页代码"),
        ({"body": '<a href="javascript:alert(1)">点击</a>'}, "正文中含有脚本或网页代码"),
        ({"title": "<script>alert(1)</script>"}, "内容中含有脚本或网页代码"),
        ({"measure": "<iframe src=//evil></iframe>"}, "内容中含有脚本或网页代码"),
    ],
)
def test_the_form_refuses(role_client, nothing_written, overrides, message):
    _refused(role_client("reporter").post("/cases/new/", case_data(**overrides, attachments=[pdf_upload()])), message)


def test_a_spoofed_file_is_refused_and_not_stored(role_client, nothing_written):
    fake = pdf_upload("处罚决定书.pdf", b"<html><script>alert(1)</script></html>")
    _refused(role_client("reporter").post("/cases/new/", case_data(attachments=[fake])), "的内容不是PDF")


def test_a_file_of_a_kind_not_allowed_is_refused(role_client, nothing_written):
    page = pdf_upload("脚本.html", b"<html></html>")
    _refused(role_client("reporter").post("/cases/new/", case_data(attachments=[page])), "不支持“.html”类型的文件")


def test_a_file_over_the_limit_is_refused(role_client, nothing_written, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1024 * 1024)
    big = pdf_upload("大文件.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024))
    _refused(role_client("reporter").post("/cases/new/", case_data(attachments=[big])), "超过 1 MB 的上限")


def test_one_bad_file_refuses_the_whole_set(role_client, nothing_written):
    files = [pdf_upload("好.pdf"), pdf_upload("坏.pdf", b"not a pdf")]
    _refused(role_client("reporter").post("/cases/new/", case_data(attachments=files)), "“坏.pdf”的内容不是PDF")


def test_no_file_is_left_behind_when_a_later_step_fails(reporter_user, nothing_written, monkeypatch):
    def fail(case, user):
        raise DomainError("模拟失败")

    monkeypatch.setattr(services, "submit_case", fail)
    data = {
        "kind": "reward",
        "title": "标题",
        "body": "正文",
        "subject": "某企业",
        "measure": "措施",
        "event_date": datetime.date(2019, 5, 1),
    }
    with pytest.raises(DomainError, match="模拟失败"):
        services.create_case(reporter_user, data, uploads=[pdf_upload(), pdf_upload("二.pdf")], submit=True)


def test_a_double_submit_of_the_form_is_refused(role_client, media_root):
    client = role_client("reporter")
    form = client.get("/cases/new/").content.decode()
    token = form.split('name="form_token" value="')[1].split('"')[0]
    data = case_data(form_token=token, attachments=[pdf_upload()])
    assert client.post("/cases/new/", data).status_code == 302
    before, files = _written(), _files(media_root)
    response = client.post("/cases/new/", case_data(form_token=token, attachments=[pdf_upload()]))
    _refused(response, "该表单已经提交过了，请勿重复提交。")
    assert _written() == before and _files(media_root) == files
    assert Case.objects.filter(title="拒不整改 纳入黑名单").count() == 1


def test_a_double_submit_of_a_case_is_refused(role_client, reporter_case, nothing_written):
    page = role_client("reporter").post(f"/cases/case/{reporter_case.pk}/submit/", follow=True).content.decode()
    assert "请勿重复报送" in page


def test_a_reporter_cannot_edit_another_units_case(role_client, reporter_case, nothing_written):
    client = role_client("other_reporter")
    assert client.get(f"/cases/case/{reporter_case.pk}/edit/").status_code == 404
    assert client.post(f"/cases/case/{reporter_case.pk}/edit/", case_data(title="被改了")).status_code == 404
    assert Case.objects.get(pk=reporter_case.pk).title != "被改了"


@pytest.fixture
def accepted(reporter_unit):
    return CaseFactory(source_unit=reporter_unit, year=2019, quarter=2, status=CaseStatus.ACCEPTED)


def test_a_reporter_cannot_edit_an_accepted_case(role_client, accepted, nothing_written):
    case = accepted
    client = role_client("reporter")
    for response in (
        client.get(f"/cases/case/{case.pk}/edit/"),
        client.post(f"/cases/case/{case.pk}/edit/", case_data(title="被改了", attachments=[pdf_upload()])),
    ):
        assert response.status_code == 403
        assert "该案例已采用，不能再修改。" in response.content.decode()
    assert Case.objects.get(pk=case.pk).title == case.title


def test_the_service_refuses_an_accepted_case_too(accepted, reporter_user, nothing_written):
    with pytest.raises(DomainError, match="该案例已采用，不能再修改。"):
        services.update_case(accepted, reporter_user, {"title": "被改了"}, uploads=[pdf_upload()])


def test_a_leader_cannot_write_a_case(role_client, nothing_written):
    assert role_client("leader").post("/cases/new/", case_data()).status_code == 403


def test_the_service_refuses_a_quarter_outside_one_to_four(reporter_user, nothing_written):
    data = {"kind": "reward", "title": "标题", "body": "正文", "event_date": datetime.date(2019, 5, 1), "quarter": 7}
    with pytest.raises(DomainError, match="季度只能是1至4"):
        services.create_case(reporter_user, data)


def test_a_unit_outside_the_years_scheme_is_refused(role_client, nothing_written):
    unit = Unit.objects.create(name="新设单位", category=Unit.objects.get(name="发改委").category)
    response = role_client("staff").post("/cases/new/", case_data(source_unit=unit.pk))
    _refused(response, "“新设单位”不在2019年的考核范围内。")


def test_a_script_already_in_the_database_never_renders(role_client, reporter_unit):
    """Even text that bypassed the form (admin, shell, import) is escaped on every page."""
    case = CaseFactory(
        source_unit=reporter_unit,
        year=2019,
        quarter=1,
        title="<script>alert('t')</script>",
        body="<script>alert('b')</script>\n<img src=x onerror=alert(1)>",
        source_label="<b>发改委</b>",
    )
    for url in (f"/cases/case/{case.pk}/", "/cases/"):
        page = role_client("staff").get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>发改委" not in page
        assert "&lt;script&gt;" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"count": 0}, "确保该值大于或等于1"),
        ({"quarters": "5-5"}, "请从列表中选择所涵盖的季度。"),
        ({"quarters": ""}, "请选择记录所涵盖的季度。"),
        ({"date": (datetime.date.today() + datetime.timedelta(days=3)).isoformat()}, "日期不能晚于今天。"),
        ({"year": 2018}, "2018年还没有考核方案"),
        ({"note": ""}, "必填项"),
        ({"note": "<script>alert(1)</script>"}, "内容中含有脚本或网页代码"),
    ],
)
def test_offline_records_refuse_bad_input(role_client, nothing_written, overrides, message):
    data = {"unit": Unit.objects.get(name="商务局").pk, "year": 2019, "quarters": "1-3", "date": "2019-06-30"}
    data.update({"count": 2, "note": "邮件报送 2 例"}, **overrides)
    _refused(role_client("staff").post("/cases/counts/", data), message)
    assert not CaseCountRecord.objects.filter(unit__name="商务局").exists()


def test_nothing_written_means_no_log_entry_either(reporter_case, staff_user):
    with pytest.raises(DomainError):
        services.return_case(reporter_case, staff_user, "")
    assert not CaseTransition.objects.filter(case=reporter_case).exists()
    assert not CaseAttachment.objects.filter(case=reporter_case).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "标题不能为空。"),
        ({"title": "   "}, "标题不能为空。"),
        ({"body": "<p> </p><br>"}, "正文不能为空。"),
        ({"title": "<script>alert(1)</script>"}, "内容中含有脚本或网页代码"),
    ],
)
def test_each_refusal_is_said_once(role_client, nothing_written, overrides, message):
    response = role_client("reporter").post("/cases/new/", case_data(**overrides, attachments=[pdf_upload()]))
    assert response.status_code == 200
    assert response.content.decode().count(message) == 1
