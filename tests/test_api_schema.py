"""The OpenAPI schema validates and documents the error shape; the docs page is Chinese and loads nothing."""

import io
import re

import yaml
from django.core.management import call_command


def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target), stderr=io.StringIO())
    schema = yaml.safe_load(target.read_text(encoding="utf-8"))
    paths = schema["paths"]
    for path in ("/api/v1/marks/", "/api/v1/marks/{id}/", "/api/v1/marks/batch/", "/api/v1/issues/{id}/tables/"):
        assert path in paths
    assert set(paths["/api/v1/marks/{id}/"]) == {"get", "patch"}
    patch = paths["/api/v1/marks/{id}/"]["patch"]["responses"]
    assert patch["409"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/StaleError"
    assert patch["403"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"
    filters = {p["name"] for p in paths["/api/v1/marks/"]["get"]["parameters"]}
    assert {"year", "category", "unit", "indicator", "value", "page", "page_size", "ordering"} <= filters
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_schema_served_to_signed_in_users(api_client):
    response = api_client("reporter").get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200 and response.json()["info"]["title"] == "昆山信用体系建设 接口"


def test_docs_page_is_chinese_and_loads_nothing(role_client):
    """The docs page is rendered from the schema: Chinese labels, every route, no script, nothing remote."""
    html = role_client("leader").get("/api/v1/docs/").content.decode()
    assert "<script" not in html and "swagger" not in html.lower()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))], assets
    assert "<h1>昆山信用体系建设 接口</h1>" in html
    for text in ("<code>GET /api/v1/cases/</code>", "<code>POST /api/v1/marks/batch/</code>", "请求内容（JSON）"):
        assert text in html
    assert "查询参数" in html and "用于排序结果的字段" in html and "未登录或令牌无效" in html


def test_case_writes_are_documented(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target), stderr=io.StringIO())
    schema = yaml.safe_load(target.read_text(encoding="utf-8"))
    paths, components = schema["paths"], schema["components"]["schemas"]
    assert set(paths["/api/v1/cases/"]) == {"get", "post"}
    assert set(paths["/api/v1/cases/{id}/"]) == {"get", "patch"}
    for step in ("submit", "withdraw", "accept", "return", "bulletin"):
        operation = paths[f"/api/v1/cases/{{id}}/{step}/"]
        assert set(operation) == {"post"}, step
        assert operation["post"]["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Case"
        }
    created = paths["/api/v1/cases/"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/Case"}
    assert set(components["CaseWriteRequest"]["required"]) == {
        "kind",
        "title",
        "body",
        "subject",
        "measure",
        "event_date",
    }
    assert "required" not in components["PatchedCaseWriteRequest"]
    assert {"status", "status_display", "transitions", "for_bulletin"} <= set(components["Case"]["properties"])
    # The first step of every case starts from "" (written): the schema must allow it.
    from_status = components["CaseTransition"]["properties"]["from_status"]["oneOf"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in from_status
    filters = {p["name"] for p in paths["/api/v1/cases/"]["get"]["parameters"]}
    assert {"status", "kind", "unit", "quarter", "year"} <= filters
