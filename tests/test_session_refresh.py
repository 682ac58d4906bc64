"""The session is written when it changes or its expiry is due, not on every page."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.security.sessions import REFRESHED

from .conftest import log_in

pytestmark = pytest.mark.django_db


def _session_writes(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    writes = [q["sql"] for q in ctx.captured_queries if "django_session" in q["sql"]]
    return len(ctx.captured_queries), [s for s in writes if not s.lstrip().upper().startswith("SELECT")]


def test_a_page_does_not_write_the_session_again(client, staff_user, settings):
    log_in(client, staff_user)
    client.get("/")  # the first page after logging in settles the session (second factor, password state)
    count, writes = _session_writes(client, "/")
    assert writes == []
    # What saving on every request costs, for comparison: the UPDATE and its savepoint queries (3 on PostgreSQL).
    settings.SESSION_SAVE_EVERY_REQUEST = True
    every_count, every_writes = _session_writes(client, "/")
    assert every_writes and every_count >= count + 2


def test_the_expiry_moves_forward_once_the_refresh_is_due(client, staff_user, settings):
    from django.contrib.sessions.models import Session

    log_in(client, staff_user)
    client.get("/")
    session = client.session
    session[REFRESHED] = int(time.time()) - settings.SESSION_REFRESH_SECONDS - 1
    session.save()
    Session.objects.filter(pk=session.session_key).update(expire_date=timezone.now() + timezone.timedelta(minutes=1))
    _, writes = _session_writes(client, "/")
    assert writes
    expiry = Session.objects.get(pk=session.session_key).expire_date
    assert expiry > timezone.now() + timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_an_idle_session_still_ends(client, staff_user):
    from django.contrib.sessions.models import Session

    log_in(client, staff_user)
    client.get("/")
    Session.objects.filter(pk=client.session.session_key).update(expire_date=timezone.now() - timezone.timedelta(1))
    response = client.get("/")
    assert not response.wsgi_request.user.is_authenticated
