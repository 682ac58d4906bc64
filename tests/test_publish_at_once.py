"""Two publications of one issue at the same moment: the second is a 409 saying who published it, on the
page and over the API, never a 500 or a second version (issue 23, "Two publishes at once")."""

import datetime
import re
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction

from assessment import access
from bulletins import services
from bulletins.models import IssueVersion

from .conftest import log_in
from .factories import UserFactory

URL = "/bulletins/2019/12/publish/"


@pytest.fixture
def draft(db):
    issue = services.create_issue(year=2019, number=12, date=datetime.date(2019, 12, 20))
    services.add_article(issue, title="十二月工作推进", body="正文。")
    return issue


@pytest.fixture
def colleague(db):
    user = UserFactory(username="t_colleague", first_name="李同事")
    user.groups.add(Group.objects.get(name=access.STAFF_GROUP))
    return user


def _form(client):
    page = client.get(URL).content.decode()
    return {
        "fingerprint": re.search(r'name="fingerprint" value="(\w+)"', page)[1],
        "seen": re.search(r'name="seen" value="(\d+)"', page)[1],
        "keep_tables": "1",
    }


def test_the_second_of_two_publications_from_the_page_is_a_409_naming_the_first(client, draft, staff_user, colleague):
    log_in(client, staff_user)
    form = _form(client)  # both open the publish page of the draft
    services.publish_issue(draft, colleague)  # the colleague confirms first
    response = client.post(URL, form)
    assert response.status_code == 409
    html = response.content.decode()
    assert "该期已由李同事于" in html and "发布（第1版）" in html
    assert "发布2019年第12期的更正" in html  # the page now shows the issue as it is: published
    assert IssueVersion.objects.filter(issue=draft).count() == 1


def test_a_correction_published_meanwhile_is_a_409_too(client, draft, staff_user, colleague):
    services.publish_issue(draft, colleague)
    log_in(client, staff_user)
    form = _form(client)  # the page of version 1
    services.add_news(draft, text="12月20日，召开会议。")
    services.publish_issue(draft, colleague, reason="补充简讯")
    response = client.post(URL, {**form, "reason": "改正标题"})
    assert response.status_code == 409 and "该期已由李同事于" in response.content.decode()
    assert list(IssueVersion.objects.filter(issue=draft).values_list("number", flat=True)) == [1, 2]


def test_the_same_version_number_written_at_the_same_moment_is_a_409_not_a_500(draft, colleague):
    """What a simultaneous publication leaves: the other transaction's version 1 is written (the database's
    unique number refuses a second), its issue row not yet pointing at it."""
    IssueVersion.objects.create(
        issue=draft,
        number=1,
        published_at=datetime.datetime(2019, 12, 20, 9, tzinfo=datetime.UTC),
        published_by=colleague,
        snapshot={},
        changes={},
    )
    with pytest.raises(services.AlreadyPublished, match="该期已由李同事于2019-12-20 17:00发布（第1版）"):
        services.publish_issue(draft, None)
    assert IssueVersion.objects.filter(issue=draft).count() == 1


def test_over_the_api_the_second_publication_is_a_409_in_chinese(api_client, draft, colleague):
    client = api_client("staff")
    first = client.post(f"/api/v1/issues/{draft.pk}/publish/", {"seen": 0}, format="json")
    assert first.status_code == 200 and first.json()["is_published"] is True
    second = client.post(f"/api/v1/issues/{draft.pk}/publish/", {"seen": 0}, format="json")
    assert second.status_code == 409
    body = second.json()
    assert body["detail"].startswith("该期已由") and body["current"]["version"] == 1
    assert IssueVersion.objects.filter(issue=draft).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's (CI runs both)")
def test_two_publications_at_the_same_moment_on_postgresql(demo_db):
    """The first publication holds the issue's row lock; the second waits for it, then reads the version the
    first wrote (it used to read the one from before, write the same number again, and fail with a 500)."""
    colleague = UserFactory(username="t_colleague", first_name="李同事")
    staff_user = UserFactory(username="t_staff")
    issue = services.create_issue(year=2019, number=12, date=datetime.date(2019, 12, 20))
    services.add_article(issue, title="十二月工作推进", body="正文。")
    first_holds_the_lock, second_is_waiting = threading.Event(), threading.Event()
    outcome = {}

    def first():
        try:
            with transaction.atomic():
                services.publish_issue(issue, colleague)  # inside: the issue's row stays locked until commit
                first_holds_the_lock.set()
                second_is_waiting.wait(timeout=30)
        finally:
            connections.close_all()

    def second():
        first_holds_the_lock.wait(timeout=30)
        try:
            services.publish_issue(issue, staff_user, seen=0)
        except Exception as exc:  # noqa: BLE001 - the outcome is asserted below
            outcome["error"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_holds_the_lock.wait(timeout=30)
    with connection.cursor() as cursor:  # the second publication is blocked on the row lock
        for _ in range(3000):
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                break
    second_is_waiting.set()
    for thread in threads:
        thread.join(timeout=60)
    assert isinstance(outcome.get("error"), services.AlreadyPublished), outcome
    assert "该期已由李同事于" in str(outcome["error"])
    assert IssueVersion.objects.filter(issue=issue).count() == 1
