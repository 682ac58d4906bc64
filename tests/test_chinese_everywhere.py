"""No English word reaches a user: the pages each role reaches from the home page and its menu, the
error pages, the API docs and the admin (as a superuser) are crawled, and their visible text — tags,
scripts, styles and code stripped; URLs, e-mail addresses and file names ignored — holds no Latin word
outside a short allow list (file types, product names, the printed marks)."""

import contextlib
import io
import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessment.models import Scheme, Unit
from bulletins.models import Issue
from cases.models import Case
from core.jobs.models import JobRun

from .conftest import log_in
from .factories import UserFactory

ALLOWED = {
    "excel", "pdf", "word", "api", "xlsx", "docx", "csv", "id", "token", "totp", "json", "openapi",
    "cookie", "authorization", "wps", "utf", "url", "http", "https", "html", "atom", "rss",
    "aeo",  # 海关 AEO 认证, as the bulletin prints it
    "doc", "xls", "ppt", "pptx", "jpg", "jpeg", "png", "mb", "kb",  # upload types and sizes
    "control", "command", "mac", "tab", "esc", "enter", "ctrl", "shift",  # keys, as printed on them
}  # fmt: skip
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
IGNORED = re.compile(
    r"https?://\S+"  # addresses
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|(?<![\w])/[\w./?=&%#{}-]*"  # paths
    r"|[\w-]+\.(?:xlsx|docx|pdf|csv|json|yaml)\b"  # file names
    r"|\w*_\w*"  # identifiers (account names such as t_staff)
    r"|\{\w+\}"  # placeholders a help text explains ({title}, {n})
)
# Attributes a user sees or hears (a screen reader reads aria-label and alt).
SHOWN_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label"}
PAGES_PER_ROLE = 14
SKIPPED = ("/accounts/logout/", "/static/", "/media/", "/api/v1/schema/")
DOWNLOADS = re.compile(r"\.(xlsx|docx|pdf|csv)$|/feed/|/download")


class Visible(HTMLParser):
    """The text a user sees on the page, and the page's links."""

    HIDDEN = {"script", "style", "code", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.links, self._hidden = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        self.text += [value for name, value in attrs.items() if name in SHOWN_ATTRIBUTES and value]
        if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
            self.text.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def english_words(html, ignored=()):
    """Latin words of the visible text; `ignored`: data shown as typed (account names)."""
    parser = Visible()
    parser.feed(html)
    words = []
    for chunk in parser.text:
        for word in WORD.findall(IGNORED.sub(" ", chunk)):
            if word.lower().strip("'’-") not in ALLOWED and word not in ignored:
                words.append(word)
    return words, parser.links


def _crawl(client, start, *, limit=PAGES_PER_ROLE, prefix=None):
    """Pages from `start` and the links on the first page (one level: the menu and what the page offers)."""
    seen, found, queue = set(), {}, list(start)
    first = True
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path in seen or url.startswith(SKIPPED) or DOWNLOADS.search(path):
            continue
        seen.add(path)
        response = client.get(url)
        if response.status_code in (301, 302) or "text/html" not in response.get("Content-Type", ""):
            continue
        words, links = english_words(response.content.decode(), ignored=_usernames())
        if words:
            found[url] = sorted(set(words))
        if first or (prefix and path.startswith(prefix)):
            for link in links:
                absolute = urljoin(url, link)
                parts = urlsplit(absolute)
                if not parts.netloc and parts.path not in seen and not parts.path.startswith("/admin/"):
                    queue.append(parts.path)
            first = False
    return found, seen


def _usernames():
    """Account names are data shown as typed: each, and its Latin words (the demo's unit01 reads as “unit”)."""
    names = set(get_user_model().objects.values_list("username", flat=True))
    return names | {word for name in names for word in WORD.findall(name)}


def _known_urls():
    unit = Unit.objects.get(name="发改委")
    scheme = Scheme.objects.filter(year=2019).first()
    issue = Issue.objects.filter(is_published=True).first()
    return [
        "/",
        "/todo/",
        issue.get_absolute_url(),
        "/bulletins/",
        "/api/v1/docs/",
        "/cases/",
        "/cases/new/",
        f"/units/{unit.pk}/",
        f"/assessment/2019/{scheme.category.slug}/",
        "/assessment/scores/",
        "/overview/",
        "/accounts/login/",
        "/accounts/password/",
        "/no-such-page/",
    ]


@pytest.mark.parametrize("role", ["staff", "reporter", "leader", "security", "anonymous"])
def test_no_english_on_the_pages_a_role_reaches(role_client, role):
    client = role_client(role)
    found, seen = _crawl(client, _known_urls())
    assert len(seen) >= 8, seen
    assert found == {}


def test_no_english_on_the_offices_administration_pages(role_client):
    """The office's pages of units, indicators, notes and a year's units, and forms' errors."""
    client = role_client("staff")
    unit = Unit.objects.get(name="发改委")
    scheme = Scheme.objects.get(year=2019, category__slug="departments")
    indicator = scheme.indicators.order_by("order").first()
    note, row = scheme.notes.order_by("number").first(), scheme.scheme_units.get(unit=unit)
    urls = [
        "/office/units/",
        "/office/units/new/",
        f"/office/units/{unit.pk}/edit/",
        f"/office/units/{unit.pk}/remove/",
        f"/office/units/{unit.pk}/deactivate/",
        "/office/schemes/",
        f"/office/schemes/2019/{scheme.category.slug}/",
        f"/office/schemes/2019/{scheme.category.slug}/new/",
        f"/office/indicators/{indicator.pk}/edit/",
        f"/office/indicators/{indicator.pk}/remove/",
        f"/office/schemes/2019/{scheme.category.slug}/notes/new/",
        f"/office/notes/{note.pk}/edit/",
        f"/office/notes/{note.pk}/remove/",
        f"/office/scheme-units/{row.pk}/remove/",
    ]
    found, seen = _crawl(client, urls, limit=len(urls))
    assert set(urls) <= seen and found == {}
    forms = ((urls[1], {"name": ""}), (urls[8], {"rule_kind": "per_occurrence"}), (urls[11], {"text": ""}))
    for url, form in forms:
        response = client.post(url, form)
        assert response.status_code == 400 and english_words(response.content.decode(), _usernames())[0] == []


def test_no_english_in_the_admin(db):
    admin = UserFactory(username="t_admin", is_staff=True, is_superuser=True)
    client = Client()
    log_in(client, admin)
    device = TOTPDevice.objects.get(user=admin)  # the second factor log_in confirmed
    backup = StaticDevice.objects.create(user=admin, name="备用验证码", confirmed=True)
    StaticToken.objects.create(device=backup, token=StaticToken.random_token())
    unit = Unit.objects.get(name="发改委")
    scheme = Scheme.objects.filter(year=2019, category__slug="departments").first()
    case = Case.objects.first()
    urls = [
        "/admin/",
        "/admin/assessment/unit/",
        f"/admin/assessment/unit/{unit.pk}/change/",
        "/admin/assessment/scheme/",
        f"/admin/assessment/scheme/{scheme.pk}/change/",
        "/admin/assessment/mark/",
        "/admin/cases/case/",
        f"/admin/cases/case/{case.pk}/change/",
        "/admin/bulletins/issue/",
        "/admin/auth/user/",
        "/admin/axes/",
        "/admin/otp_static/",
        # django-otp's device pages: Chinese labels, columns and fieldsets (core/security/admin.py).
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
        "/admin/otp_totp/totpdevice/add/",
        "/admin/otp_static/staticdevice/",
        f"/admin/otp_static/staticdevice/{backup.pk}/change/",
        "/admin/otp_static/staticdevice/add/",
        # The IT administrator's jobs page (core.jobs), with a run and a failed run on it.
        "/system/jobs/",
    ]
    call_command("run_job", "send_queued", stdout=io.StringIO())
    with contextlib.suppress(CommandError):
        call_command("run_job", "no_such_job", stdout=io.StringIO())
    JobRun.objects.create(
        job="backup", started_at=timezone.now(), result=JobRun.Result.FAILED, output="失败：磁盘空间不足"
    )
    found, seen = _crawl(client, urls, limit=len(urls))
    assert len(seen) == len(urls)
    # The login-security apps (django-axes, django-otp) too: named in core/security/apps.py.
    assert found == {}


def test_error_pages_are_chinese(client, settings, db):
    settings.DEBUG = False
    for url in ("/no-such-page/", "/bulletins/1999/1/"):
        response = client.get(url)
        assert response.status_code == 404 and english_words(response.content.decode())[0] == []
        assert "页面不存在" in response.content.decode()


def test_a_refused_csrf_check_answers_in_chinese(staff_user):
    client = Client(enforce_csrf_checks=True)
    log_in(client, staff_user)
    response = client.post("/office/", {"name": "x"})
    html = response.content.decode()
    assert response.status_code == 403 and "页面已过期，未能提交" in html
    assert english_words(html)[0] == []


def test_the_admins_javascript_strings_are_chinese(db):
    admin = UserFactory(username="t_admin_js", is_staff=True, is_superuser=True)
    client = Client()
    log_in(client, admin)
    catalog = client.get("/admin/jsi18n/").content.decode()
    for english, chinese in (("Choose all %s", "全选%s"), ("Remove all %s", "全部删除%s"), ("Filter", "过滤")):
        assert f'"{english}": {json.dumps(chinese)}' in catalog, english


def test_the_documents_progress_is_chinese(role_client):
    """The issue page's script shows the endpoint's text as it comes: it must be Chinese too."""
    client = role_client("staff")
    text = client.get("/bulletins/2019/11/documents/").json()["text"]
    assert text.startswith("正在生成") or text.endswith("已生成。")
    assert english_words(f"<p>{text}</p>")[0] == []


def test_the_api_speaks_json_only(api_client):
    response = api_client("staff").get("/api/v1/units/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406 or response["Content-Type"].startswith("application/json")
    assert b"Django REST framework" not in response.content
