"""Every form of the portal renders through the one form template (templates/forms/, FORM_RENDERER):
each visible field sits in a `.form-field` wrapper with its label above, its help text under it, and each
error printed once beside it, linked from the input with aria-describedby."""

import re
from html.parser import HTMLParser

import pytest

from assessment.marks.services import set_mark
from assessment.models import Mark

VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "area", "base", "wbr", "embed", "param", "track"}


class FormFields(HTMLParser):
    """The POST forms of a page and, for each visible field, whether it sits in a `.form-field` wrapper."""

    def __init__(self):
        super().__init__()
        self.stack = []  # (tag, attrs) of the open elements
        self.forms = []  # [{"classes": …, "fields": [(name, wrapped, attrs)]}]

    def _inside(self, tag, cls=None):
        return any(t == tag and (cls is None or cls in (a.get("class") or "").split()) for t, a in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.forms.append({"classes": (attrs.get("class") or "").split(), "fields": []})
            attrs["_form"] = self.forms[-1]
        open_forms = [a for t, a in self.stack if t == "form"]
        if tag in ("input", "select", "textarea") and open_forms and "_form" in open_forms[-1]:
            kind = attrs.get("type", "text")
            if tag != "input" or kind not in ("hidden", "submit", "button"):
                open_forms[-1]["_form"]["fields"].append((attrs.get("name"), self._inside("div", "form-field"), attrs))
        if tag not in VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break


def _forms(html):
    parser = FormFields()
    parser.feed(html)
    return [f for f in parser.forms if f["fields"]]


@pytest.fixture
def pending_mark(reporter_unit, staff_user):
    return set_mark(
        Mark.objects.get(unit=reporter_unit, indicator__order=5, indicator__scheme__year=2019), "*", staff_user
    )


PAGES = [
    ("staff", "/cases/new/"),
    ("staff", "/cases/counts/?year=2019"),
    ("staff", "/bulletins/new/"),
    ("staff", "/bulletins/2019/11/edit/"),
    ("staff", "/assessment/import/units/"),
    ("staff", "/assessment/2019/import/"),
    ("staff", "/assessment/2019/import/schemes/"),
    ("staff", "/assessment/2019/scores/deductions/new/"),
    ("staff", "/accounts/password/"),
    ("reporter", "/cases/new/"),
    ("reporter", "/accounts/password/"),
    ("anonymous", "/accounts/login/"),
]


@pytest.mark.parametrize(("role", "url"), PAGES)
def test_every_form_field_renders_through_the_one_template(role_client, role, url):
    response = role_client(role).get(url)
    assert response.status_code == 200
    forms = _forms(response.content.decode())
    assert forms, f"{url}: no form with fields"
    for form in forms:
        assert "portal-form" in form["classes"], (url, form["classes"])
        unwrapped = [name for name, wrapped, _ in form["fields"] if not wrapped]
        assert not unwrapped, (url, unwrapped)


def test_the_return_form_on_a_case_page_renders_through_the_one_template(role_client, reporter_draft):
    from cases import services

    services.submit_case(reporter_draft, reporter_draft.created_by)
    forms = _forms(role_client("staff").get(f"/cases/case/{reporter_draft.pk}/").content.decode())
    assert forms and all("portal-form" in f["classes"] and all(w for _, w, _ in f["fields"]) for f in forms)


def test_the_request_form_renders_through_the_one_template(role_client, pending_mark):
    response = role_client("reporter").get(f"/units/{pending_mark.unit_id}/marks/{pending_mark.pk}/request/")
    html = response.content.decode()
    (form,) = _forms(html)
    assert "portal-form" in form["classes"] and all(wrapped for _, wrapped, _ in form["fields"])
    # Both kinds are offered as labelled radios inside one fieldset with its legend.
    assert re.search(r"<fieldset[^>]*>\s*<legend>申请类型", html)
    assert "报告已完成（通过后标记为“√”）" in html and "提交情况说明" in html


def _described_by(html, field_id):
    match = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{field_id}"[^>]*>', html)
    assert match, field_id
    described = re.search(r'aria-describedby="([^"]+)"', match.group(0))
    return described.group(1).split() if described else []


def test_each_case_form_error_prints_once_beside_its_field(role_client):
    response = role_client("reporter").post(
        "/cases/new/", {"kind": "reward", "title": "<script>alert(1)</script>", "action": "save"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    for message in (
        "内容中含有脚本或网页代码，请删除后重新提交。",
        "请填写奖惩对象。",
        "请填写采取的措施。",
        "正文不能为空。",
    ):
        assert html.count(message) == 1, message
    # The title's error list sits in the title's wrapper and the input points at it (and at nothing else).
    row = re.search(r'<div class="form-field[^"]*has-error" id="row-title">(.*?)</div>', html, re.S).group(1)
    assert '<ul class="errorlist" id="id_title_error"><li>内容中含有脚本' in row
    assert _described_by(html, "id_title") == ["id_title_error"]
    assert 'aria-invalid="true"' in re.search(r'<input[^>]*id="id_title"[^>]*>', html).group(0)
    # Help text and error both describe the field they belong to.
    assert _described_by(html, "id_subject") == ["id_subject_helptext", "id_subject_error"]
    assert 'id="id_subject_helptext"' in html and 'id="id_subject_error"' in html


def test_a_deduction_error_prints_once_and_the_form_keeps_its_layout(role_client):
    response = role_client("staff").post("/assessment/2019/scores/deductions/new/", {"reason": ""})
    html = response.content.decode()
    assert html.count("这个字段是必填项。") + html.count("此字段为必填项") + html.count("该字段是必填项") >= 1
    for form in _forms(html):
        assert all(wrapped for _, wrapped, _ in form["fields"])
    errors = re.findall(r'<ul class="errorlist" id="(id_\w+)_error">', html)
    assert errors and len(errors) == len(set(errors))
    for field_id in errors:
        assert f"{field_id}_error" in _described_by(html, field_id)


def test_a_wrong_login_says_so_once(role_client):
    response = role_client("anonymous").post("/accounts/login/", {"username": "office", "password": "wrong"})
    html = response.content.decode()
    assert html.count("用户名或密码不正确") == 1 and "请输入一个正确的" not in html
    for form in _forms(html):
        assert "portal-form" in form["classes"]
