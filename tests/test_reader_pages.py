"""A published issue's page for readers who are not signed in: made once per version, then served as stored."""

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from bulletins import pages
from bulletins.models import Issue
from bulletins.services import publish_issue
from core.office import models as office
from core.office.models import Office

from .conftest import log_in

URL = "/bulletins/2019/11/"


def _queries(context):
    # The shared cache is the database's in the tests: its reads are counted apart.
    own = [q["sql"] for q in context.captured_queries if '"kc_cache"' not in q["sql"]]
    cache = [q["sql"] for q in context.captured_queries if '"kc_cache"' in q["sql"]]
    return own, cache


def _correct(reason, **changes):
    Issue.objects.filter(year=2019, number=11).update(**changes)
    publish_issue(Issue.objects.get(year=2019, number=11), None, reason=reason, keep_tables=True)


def test_a_second_read_asks_nothing_of_the_database_and_sends_the_same_bytes(client, db):
    first = client.get(URL)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as again:
        second = client.get(URL)
    assert second.content == first.content
    # The current version was read a moment ago and the page is in the process's memory.
    assert again.captured_queries == []


def test_the_current_version_is_asked_again_after_a_few_seconds(client, db, monkeypatch):
    client.get(URL)
    later = pages.time.monotonic() + pages.CURRENT_SECONDS + 1
    monkeypatch.setattr(pages.time, "monotonic", lambda: later)
    with CaptureQueriesContext(connection) as again:
        assert client.get(URL).status_code == 200
    own, cache = _queries(again)
    assert len(own) == 1 and "snapshot" not in own[0] and cache == []


def test_another_process_finds_the_page_in_the_shared_cache(client, db):
    first = client.get(URL).content
    pages.local_pages.clear()  # as a second gunicorn process, which never rendered it, would be
    pages.forget_all()
    with CaptureQueriesContext(connection) as other:
        assert client.get(URL).content == first
    own, cache = _queries(other)
    assert len(own) == 1 and "snapshot" not in own[0]
    assert len(cache) == 1 and cache[0].startswith("SELECT")


def test_a_correction_shows_at_once(client, db):
    assert "张 三" not in client.get(URL).content.decode()
    _correct("更正编辑姓名", editor="张 三")
    page = client.get(URL).content.decode()
    assert "张 三" in page
    assert "第2版" in page  # the versions list of the corrected issue


def test_an_issue_taken_back_is_gone_for_readers(client, db):
    """Saved in this process (the admin), at once; changed by another process, within CURRENT_SECONDS."""
    assert client.get(URL).status_code == 200
    issue = Issue.objects.get(year=2019, number=11)
    issue.is_published = False
    issue.save()
    assert client.get(URL).status_code == 404
    assert client.get("/").status_code == 404


def test_a_change_through_another_process_reaches_readers_within_seconds(client, db, monkeypatch):
    assert client.get(URL).status_code == 200
    Issue.objects.filter(year=2019, number=11).update(is_published=False)  # no signal here: another process
    assert client.get(URL).status_code == 200
    later = pages.time.monotonic() + pages.CURRENT_SECONDS + 1
    monkeypatch.setattr(pages.time, "monotonic", lambda: later)
    assert client.get(URL).status_code == 404


def test_the_home_page_is_the_latest_issue_stored_too(client, db):
    first = client.get("/").content
    assert "工作信息" in first.decode()
    with CaptureQueriesContext(connection) as again:
        assert client.get("/").content == first
    assert again.captured_queries == []


def test_signed_in_readers_get_their_own_page_and_never_leave_it_for_others(client, db, leader_user):
    anonymous = client.get(URL).content.decode()
    assert 'class="user"' not in anonymous and "csrfmiddlewaretoken" not in anonymous
    log_in(client, leader_user)
    signed_in = client.get(URL).content.decode()
    assert 'class="user"' in signed_in and "概览" in signed_in
    client.logout()
    pages.local_pages.clear()
    from django.core.cache import cache

    cache.clear()
    log_in(client, leader_user)
    client.get(URL)  # a signed-in read first: it must not store the leader's page for everyone
    client.logout()
    again = client.get(URL).content.decode()
    assert 'class="user"' not in again and "概览" not in again


def test_a_waiting_message_is_shown_not_swallowed(client, db):
    client.get(URL)  # stored
    request = RequestFactory().get(URL)
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "您已退出登录。")
    response = pages.HttpResponse()
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value
    page = client.get(URL).content.decode()
    assert "您已退出登录。" in page
    # The page with the message is not stored: the next reader does not see it.
    client.cookies.pop("messages", None)
    assert "您已退出登录。" not in client.get(URL).content.decode()


def test_renaming_the_office_changes_the_stored_page(client, db):
    client.get(URL)
    row = Office.objects.get(pk=1)
    row.site_title = "某市信用网"
    row.save()
    assert "某市信用网" in client.get(URL).content.decode()


def test_another_process_renaming_the_office_shows_within_a_minute(client, db, monkeypatch):
    """An edit through another process sends no signal here: the row is read again after OFFICE_SECONDS."""
    client.get(URL)
    Office.objects.filter(pk=1).update(site_title="某市信用网")  # as another process's save, unseen here
    assert "某市信用网" not in client.get(URL).content.decode()
    later = office.time.monotonic() + office.OFFICE_SECONDS + 1
    monkeypatch.setattr(office.time, "monotonic", lambda: later)
    assert "某市信用网" in client.get(URL).content.decode()


def test_an_office_form_that_fails_leaves_the_shared_row_alone(client, db, staff_user):
    log_in(client, staff_user)
    response = client.post("/office/", {"name": "", "site_title": "不该出现"})
    assert response.status_code == 200
    assert office.get_office().site_title != "不该出现"


@pytest.mark.parametrize("size", [10, 1000])
def test_the_process_memory_is_bounded_by_bytes(size):
    memory = pages._LocalPages(limit=100 * size)
    for n in range(300):
        memory.put(f"k{n}", b"x" * size)
    assert memory.size <= 100 * size
    assert memory.get("k299") == b"x" * size and memory.get("k0") is None


def test_a_reader_who_has_the_page_gets_304_and_a_correction_a_new_etag(client, db, leader_user):
    """The stored page says how long it may be kept (the same seconds a correction takes to reach readers
    through another server), with an ETag and Last-Modified: a reader's browser (or nginx) asking again with
    them gets a 304 and no body, until a correction makes a new version."""
    first = client.get(URL)
    assert first["Cache-Control"] == f"public, max-age={pages.CURRENT_SECONDS}"
    assert first["ETag"].startswith('"') and first["Last-Modified"].endswith("GMT")
    stored = client.get(URL)  # from the process's memory: the same headers
    assert (stored["ETag"], stored["Last-Modified"]) == (first["ETag"], first["Last-Modified"])
    again = client.get(URL, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == first["ETag"]
    since = client.get(URL, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304
    _correct("更正编辑姓名", editor="张 三")
    corrected = client.get(URL, headers={"If-None-Match": first["ETag"]})
    assert corrected.status_code == 200 and "张 三" in corrected.content.decode()
    assert corrected["ETag"] != first["ETag"]
    # A signed-in reader's page is their own: nothing says it may be kept for anyone.
    log_in(client, leader_user)
    own = client.get(URL, headers={"If-None-Match": corrected["ETag"]})
    assert own.status_code == 200 and "public" not in own.get("Cache-Control", "") and not own.has_header("ETag")
