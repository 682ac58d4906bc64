"""The production stack across two app servers (started by .ci/stack): nginx in front of instances A and B.

Runs only when STACK_URL (nginx), STACK_A and STACK_B (the gunicorn instances, directly) are set,
so `make test` stays green everywhere; .ci/stack starts the stack, sets them and runs this file.
Each step crosses instances: what one writes, the other (and nginx) must see.
"""

import re
import uuid

import pytest
import requests
from django.apps import apps
from django.conf import settings

from .web import NGINX, STACK, TIMEOUT, A, B, Browser, inputs, signed_in

pytestmark = pytest.mark.skipif(not STACK, reason="no stack: run .ci/stack (sets STACK_URL)")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_every_server_answers_and_nginx_serves_static_files_itself():
    for base in (NGINX, A, B):
        assert requests.get(base + "/bulletins/2019/11/", timeout=TIMEOUT).status_code == 200
    page = requests.get(NGINX + "/bulletins/2019/11/", timeout=TIMEOUT).text
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
    response = requests.get(NGINX + stylesheet, timeout=TIMEOUT)
    assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
    assert "nginx" in response.headers.get("Server", "")
    # Stored documents have no public URL: /_media/ is internal, /media/ does not exist.
    assert requests.get(NGINX + "/_media/", timeout=TIMEOUT).status_code == 404
    assert requests.get(NGINX + "/media/", timeout=TIMEOUT).status_code == 404


def test_nginx_keeps_the_readers_page_a_few_seconds_and_never_a_signed_in_page():
    """The published page for readers is answered by nginx's page cache (deploy/nginx, upstream.conf) for the
    seconds the app allows; a visitor with a session always reaches the app and gets their own page."""
    url = NGINX + "/bulletins/2019/11/"
    requests.get(url, timeout=TIMEOUT)
    again = requests.get(url, timeout=TIMEOUT)
    assert again.headers["X-Cache"] in ("HIT", "UPDATING", "REVALIDATED"), again.headers
    assert again.headers["Cache-Control"].startswith("public, max-age=") and again.headers["ETag"]
    office = signed_in(NGINX, "office")
    for _ in range(2):
        own = office.get(NGINX, "/bulletins/2019/11/")
        assert own.headers["X-Cache"] == "BYPASS" and 'class="user"' in own.text
        assert "public" not in own.headers.get("Cache-Control", "")
    # Pages the app does not mark public are never kept: the archive reaches the app every time.
    for _ in range(2):
        assert requests.get(NGINX + "/bulletins/", timeout=TIMEOUT).headers["X-Cache"] == "MISS"


def test_a_session_begun_on_a_continues_on_b_and_through_nginx():
    office = signed_in(A, "office")
    for base in (B, NGINX):
        response = office.get(base, "/bulletins/new/")
        assert response.status_code == 200, f"{base}: {response.status_code} {response.headers.get('Location')}"
    assert Browser().get(B, "/bulletins/new/").status_code == 302  # without the cookie: to the login page


def test_an_issue_published_on_a_is_read_on_b():
    office = signed_in(A, "office")
    form = inputs(office.get(A, "/bulletins/new/").text)
    year, number = form["year"], form["number"]
    response = office.post(A, "/bulletins/new/", {"year": year, "number": number, "date": form["date"]})
    assert response.status_code == 302, response.text[:500]
    issue = f"/bulletins/{year}/{number}/"
    title = f"跨服务器发布检查 {uuid.uuid4().hex[:8]}"
    added = office.post(
        A, issue + "sections/article/add/", {"add-article-title": title, "add-article-body": "一、正文\n第一段。"}
    )
    assert added.status_code == 302, added.text[:500]
    fingerprint = inputs(office.get(A, issue + "publish/").text)["fingerprint"]
    published = office.post(A, issue + "publish/", {"fingerprint": fingerprint})
    assert published.status_code == 302, published.text[:500]
    for base in (B, NGINX):
        page = requests.get(base + issue, timeout=TIMEOUT)
        assert page.status_code == 200 and title in page.text


def test_an_attachment_uploaded_through_a_is_downloaded_through_b_and_nginx():
    reporter = signed_in(A, "fagaiwei")
    content = PDF + uuid.uuid4().hex.encode()
    fields = {
        "kind": "reward",
        "title": f"附件跨服务器检查 {uuid.uuid4().hex[:8]}",
        "subject": "昆山某企业",
        "measure": "容缺受理。",
        "event_date": "2019-08-20",
        "quarter": "",
        "body": "第一段。",
        "action": "save",
    }
    files = {"attachments": ("证明材料.pdf", content, "application/pdf")}
    created = reporter.post(A, "/cases/new/", fields, files=files)
    assert created.status_code == 302, created.text[:1000]
    detail = reporter.get(B, created.headers["Location"])
    assert detail.status_code == 200
    link = re.search(r'href="(/cases/attachment/\d+/)"', detail.text).group(1)
    direct = reporter.get(B, link)
    # B hands the file to nginx (X-Accel-Redirect) ...
    assert direct.status_code == 200 and direct.headers["X-Accel-Redirect"].startswith("/_media/cases/")
    # ... and nginx sends it, with the app's headers, to the reporter and to no one else.
    through = reporter.get(NGINX, link)
    assert through.status_code == 200 and through.content == content
    assert through.headers["Content-Disposition"].startswith("attachment;")
    assert "X-Accel-Redirect" not in through.headers
    assert Browser().get(NGINX, link).status_code == 302
    assert requests.get(NGINX + direct.headers["X-Accel-Redirect"], timeout=TIMEOUT).status_code == 404


def _shared_cache():
    return "redis" in settings.CACHES["default"]["BACKEND"].lower()


@pytest.mark.skipif(not _shared_cache(), reason="settings do not read REDIS_URL: the cache is per process")
def test_one_api_throttle_for_both_servers():
    """DJANGO_API_ANON_RATE=5/min (.ci/stack): the sixth anonymous request, wherever it lands, is refused."""
    statuses = [requests.get(base + "/api/v1/issues/", timeout=TIMEOUT).status_code for base in [A, B] * 3]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
    assert requests.get(NGINX + "/api/v1/issues/", timeout=TIMEOUT).status_code == 429


@pytest.mark.skipif(not apps.is_installed("axes"), reason="django-axes is not in INSTALLED_APPS")
def test_one_lockout_for_both_servers():
    """Five wrong passwords for one account, spread over A and B: then the right one is refused on both."""
    for base in [A, B, A, B, A]:
        assert Browser().log_in(base, "leader", password="wrong-password").status_code != 302
    for base in (B, A, NGINX):
        response = Browser().log_in(base, "leader")
        assert response.status_code != 302 and response.status_code in (403, 429), response.status_code
