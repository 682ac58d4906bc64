"""The API's edges as an attacker or a careless client meets them: every body it cannot take is a 400 in
Chinese in the one shape, text fields refuse control characters by field, every 404 under /api/ is JSON,
the schema marks what a write requires, and a browser call without its CSRF token is told in Chinese."""

import inspect

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework import serializers

from assessment.api import marks as marks_api
from assessment.api import schemes as schemes_api
from bulletins import api as bulletins_api
from cases import api as cases_api
from core.api.fields import TextField

from .conftest import log_in
from .test_api_cases import CASE
from .test_api_marks import _cell


@pytest.fixture(autouse=True)
def _fresh_throttle_history(db):
    cache.clear()
    yield
    cache.clear()


def _chinese_refusal(response, status=400):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) >= {"code", "detail", "fields"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body
    return body


def _raw_patch(client, mark, raw):
    return client.patch(f"/api/v1/marks/{mark.pk}/", raw, content_type="application/json")


# --- bodies that are not JSON the API can take


def test_a_deeply_nested_body_is_a_400_not_a_crash(api_client):
    mark = _cell("财政局")
    body = _chinese_refusal(_raw_patch(api_client("staff"), mark, "[" * 10_000 + "]" * 10_000))
    assert body["code"] == "parse_error" and "嵌套超过 32 层" in body["detail"]
    nested = '{"value": "√", "version": 1, "x": ' + "[" * 40 + "]" * 40 + "}"
    assert "嵌套" in _chinese_refusal(_raw_patch(api_client("staff"), mark, nested))["detail"]


def test_brackets_inside_text_do_not_count_as_nesting(api_client):
    mark = _cell("财政局")
    response = api_client("staff").post(
        "/api/v1/marks/batch/",
        '{"description": "' + "[" * 100 + f'", "changes": [{{"id": {mark.pk}, "value": "√", "version": 1}}]}}',
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ('{"value": "√", "version": 1,}', "第 1 行第 29 列，此处应有用英文双引号括起的字段名"),
        ('{"value" "√"}', "此处缺少英文冒号"),
        ('{"value": "√" "version": 1}', "此处缺少英文逗号"),
        ('{"value": "√"', "此处缺少英文逗号"),
        ('{"value": "√}', "文本缺少结尾的英文双引号"),
        ("{} x", "多余的字符"),
        ("   ", "请求内容是空的"),
        ('{"value": NaN, "version": 1}', "不接受 NaN"),
        (b'{"value": "\xff\xfe", "version": 1}', "不是有效的 UTF-8 编码"),
    ],
)
def test_json_typos_an_empty_body_and_bad_bytes_are_said_in_chinese(api_client, raw, words):
    body = _chinese_refusal(_raw_patch(api_client("staff"), _cell("财政局"), raw))
    assert body["code"] == "parse_error"
    assert words in body["detail"]
    assert not any(english in body["detail"] for english in ("Expecting", "JSON parse error", "codec", "Extra data"))


@pytest.mark.parametrize(
    ("path", "payload", "field", "message"),
    [
        ("marks/{mark}/", [1, 2], "non_field_errors", "应为对象（{…}），收到的是列表。"),
        ("marks/{mark}/", "√", "non_field_errors", "应为对象（{…}），收到的是文本。"),
        ("marks/{mark}/", {"value": ["√"], "version": 1}, "value", "应为文本，收到的是列表。"),
        ("marks/{mark}/", {"value": {"a": 1}, "version": 1}, "value", "应为文本，收到的是对象。"),
        ("marks/batch/", {"changes": "√"}, "changes", "应为列表（[…]），收到的是文本。"),
        ("marks/batch/", {"changes": [["√"]]}, "changes.0", "应为对象（{…}），收到的是列表。"),
        ("marks/batch/", {"changes": {"id": 1}}, "changes", "应为列表（[…]），收到的是对象。"),
    ],
)
def test_type_errors_name_the_json_type_in_words(api_client, path, payload, field, message):
    client = api_client("staff")
    url = "/api/v1/" + path.format(mark=_cell("财政局").pk)
    response = (client.post if "batch" in path else client.patch)(url, payload, format="json")
    body = _chinese_refusal(response)
    assert body["fields"][field] == [message]
    for python_name in ("list", "str", "dict", "int"):
        assert python_name not in body["detail"]


# --- control characters, refused by field


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "a\x00b", "\x7f", "\x85"])
def test_control_characters_in_a_cell_are_refused_by_field(api_client, control):
    mark = _cell("财政局")
    response = api_client("staff").patch(f"/api/v1/marks/{mark.pk}/", {"value": control, "version": 1}, format="json")
    body = _chinese_refusal(response)
    assert body["fields"] == {"value": ["不能包含控制字符（如 NUL、BEL、ESC），请删除后重新提交。"]}
    mark.refresh_from_db()
    assert mark.version == 1


@pytest.mark.parametrize("field", ["title", "subject", "measure", "body", "source_label"])
def test_control_characters_in_a_case_are_refused_and_nothing_is_stored(api_client, field):
    from cases.models import Case

    before = Case.objects.count()
    response = api_client("staff").post(
        "/api/v1/cases/", {**CASE, "source_label": "市“331”专班", field: "标题\x07\x1b[31m"}, format="json"
    )
    body = _chinese_refusal(response)
    assert "不能包含控制字符" in body["fields"][field][0]
    assert Case.objects.count() == before


def test_a_batch_description_with_a_bell_is_refused(api_client):
    mark = _cell("财政局")
    response = api_client("staff").post(
        "/api/v1/marks/batch/",
        {"description": "导入\x07", "changes": [{"id": mark.pk, "value": "√", "version": 1}]},
        format="json",
    )
    assert "不能包含控制字符" in _chinese_refusal(response)["fields"]["description"][0]


def test_line_breaks_and_tabs_are_text_not_control_characters(api_client):
    response = api_client("reporter").post(
        "/api/v1/cases/", {**CASE, "body": "第一段。\r\n第二段\t（续）。"}, format="json"
    )
    assert response.status_code == 201, response.content


def _request_serializers(schema):
    """The serializers of the bodies clients write: the schema's request components (MarkWriteRequest…)."""
    classes = {
        name: cls
        for module in (marks_api, schemes_api, cases_api, bulletins_api)
        for name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, serializers.Serializer)
    }
    for component in schema["components"]["schemas"]:
        if component.endswith("Request"):
            yield classes[component.removeprefix("Patched").removesuffix("Request") + "Serializer"]


def test_every_text_field_a_client_writes_refuses_control_characters(api_client):
    writable = {
        f"{cls.__name__}.{name}": type(field).__name__
        for cls in _request_serializers(_schema(api_client))
        for name, field in cls().fields.items()
        if isinstance(field, serializers.CharField) and not field.read_only
    }
    assert {"MarkWriteSerializer.value", "CaseWriteSerializer.title", "PublishSerializer.reason"} <= set(writable)
    assert {name: kind for name, kind in writable.items() if kind != TextField.__name__} == {}


# --- 404s and the CSRF refusal


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing/", "/api/v1", "/api/nothing", "/api/v1/marks/1/nothing/", "/api/v1/units/1/x/y/"],
)
def test_every_404_under_api_is_the_json_shape(api_client, path):
    body = _chinese_refusal(api_client("staff").get(path), status=404)
    assert body["code"] == "not_found"


def test_a_404_outside_the_api_is_still_the_portals_page(client):
    response = client.get("/nothing-here/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_a_browser_call_without_the_csrf_token_is_refused_in_chinese(staff_user):
    browser = Client(enforce_csrf_checks=True)
    log_in(browser, staff_user)
    mark = _cell("财政局")
    response = browser.patch(f"/api/v1/marks/{mark.pk}/", {"value": "√", "version": 1}, content_type="application/json")
    body = _chinese_refusal(response, status=403)
    assert body["code"] == "permission_denied"
    assert "安全校验（CSRF）未通过" in body["detail"] and "Failed" not in body["detail"]


# --- the schema says what a write requires


def _schema(api_client):
    return api_client("staff").get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_the_schema_marks_a_cells_value_and_version_required(api_client):
    schema = _schema(api_client)
    patch = schema["paths"]["/api/v1/marks/{id}/"]["patch"]["requestBody"]
    assert patch["required"] is True
    ref = patch["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert sorted(schema["components"]["schemas"][ref]["required"]) == ["value", "version"]
    batch = schema["components"]["schemas"]["MarkChangeRequest"]
    assert sorted(batch["required"]) == ["id", "value", "version"]


def test_a_case_change_stays_partial_in_the_schema(api_client):
    schema = _schema(api_client)
    ref = schema["paths"]["/api/v1/cases/{id}/"]["patch"]["requestBody"]["content"]["application/json"]["schema"]
    assert "required" not in schema["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


# --- found by schemathesis (.ci/api-fuzz with every check and phase)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/cases/?year=0.5", "year"),
        ("/api/v1/cases/?quarter=1.5", "quarter"),
        ("/api/v1/marks/?year=0.5", "year"),
        ("/api/v1/units/?year=2019.5", "year"),
        ("/api/v1/schemes/?year=x", "year"),
        ("/api/v1/categories/?page_size=null&page_size=null", "page_size"),
        ("/api/v1/categories/?page_size=0", "page_size"),
    ],
)
def test_query_numbers_the_schema_calls_integers_are_whole_numbers(api_client, path, field):
    body = _chinese_refusal(api_client("staff").get(path))
    assert list(body["fields"]) == [field]


def test_public_reads_say_in_the_schema_that_they_need_no_token(api_client):
    paths = _schema(api_client)["paths"]
    assert {} in paths["/api/v1/issues/"]["get"]["security"]
    assert {} not in paths["/api/v1/marks/"]["get"]["security"]
    assert (
        "security" not in paths["/api/v1/issues/{id}/publish/"]["post"]
        or {} not in paths["/api/v1/issues/{id}/publish/"]["post"]["security"]
    )


def test_an_indicator_without_a_registered_part_is_null_in_the_schema_too(api_client):
    schema = _schema(api_client)
    parts = schema["components"]["schemas"]["Indicator"]["properties"]["parts"]
    assert parts["additionalProperties"].get("nullable") is True
    indicators = api_client("staff").get("/api/v1/schemes/?year=2019").json()["results"][0]["indicators"]
    assert any(value is None for indicator in indicators for value in indicator["parts"].values())


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/units/?is_active=null&is_active=null", "is_active"),
        ("/api/v1/cases/?for_bulletin=maybe", "for_bulletin"),
        ("/api/v1/issues/?is_published=null", "is_published"),
        ("/api/v1/schemes/?page=", "page"),
        ("/api/v1/schemes/?page=x", "page"),
    ],
)
def test_yes_no_and_page_parameters_refuse_what_the_schema_does_not_allow(api_client, path, field):
    body = _chinese_refusal(api_client("staff").get(path))
    assert list(body["fields"]) == [field]


def test_yes_no_parameters_still_filter(api_client):
    client = api_client("staff")
    active = client.get("/api/v1/units/?is_active=true&page_size=1000").json()["count"]
    inactive = client.get("/api/v1/units/?is_active=false&page_size=1000").json()["count"]
    assert active > 0 and active + inactive == client.get("/api/v1/units/?page_size=1000").json()["count"]


def test_a_body_over_the_limit_under_api_is_the_json_shape(api_client, client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    too_big = '{"description": "' + "x" * 2000 + '"}'
    body = _chinese_refusal(api_client("staff").post("/api/v1/marks/batch/", too_big, content_type="application/json"))
    assert body["code"] == "bad_request" and "大小上限" in body["detail"]
    form = "username=" + "x" * 2000
    page = client.post("/accounts/login/", form, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
