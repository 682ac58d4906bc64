"""The API's writes take JSON only, the documented body: the schema offers nothing else, a form is a Chinese 415."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttle_history(db):
    cache.clear()
    yield
    cache.clear()


def test_every_write_in_the_schema_takes_json_and_nothing_else(api_client):
    schema = api_client("staff").get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    bodies = {
        f"{method.upper()} {path}": sorted(operation["requestBody"]["content"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    }
    assert bodies, "the API has writes"
    assert {op: types for op, types in bodies.items() if types != ["application/json"]} == {}


@pytest.mark.parametrize("form", [{"changes": "x"}, None])
def test_a_form_or_multipart_body_is_refused_in_chinese(api_client, form):
    client = api_client("staff")
    if form is None:
        response = client.post("/api/v1/marks/batch/", {"changes": "x"}, format="multipart")
    else:
        response = client.post("/api/v1/marks/batch/", "changes=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    body = response.json()
    assert body["code"] == "unsupported_media_type"
    assert "JSON" in body["detail"] and "接口只接受" in body["detail"]
