"""Requests the portal cannot take (too large, a foreign Host, a stale form) get its Chinese pages."""

from urllib.parse import urlencode

import pytest
from django.test import Client

from cases.models import Case

from .conftest import log_in


def _chinese_400(response):
    html = response.content.decode()
    assert response.status_code == 400
    assert "请求无法处理" in html and "昆山信用体系建设" in html
    assert "Bad Request" not in html


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_a_two_megabyte_case_body_gets_the_chinese_400_page_and_nothing_is_saved(client, reporter_user, encoding):
    log_in(client, reporter_user)
    before = Case.objects.count()
    # 2 MB of text (700,000 characters) against the 1 MB limit, as a form with attachments sends it or as plain form.
    data = {"title": "某企业", "body": "信" * 700_000}
    if encoding == "multipart":
        response = client.post("/cases/new/", data)
    else:
        response = client.post("/cases/new/", urlencode(data), content_type="application/x-www-form-urlencoded")
    _chinese_400(response)
    assert Case.objects.count() == before


def test_a_foreign_host_header_gets_the_chinese_400_page(client, db):
    _chinese_400(client.get("/", HTTP_HOST="evil.example.com"))


def test_a_form_without_its_csrf_token_gets_a_chinese_page(reporter_user):
    client = Client(enforce_csrf_checks=True)
    log_in(client, reporter_user)
    response = client.post("/cases/new/", {"title": "某企业"})
    html = response.content.decode()
    assert response.status_code == 403 and "页面已过期" in html and "CSRF" not in html
