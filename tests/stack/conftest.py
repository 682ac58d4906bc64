"""What several stack files share: a real SMTP server on the stack's mail port (.ci/stack's DJANGO_EMAIL_PORT),
the live database read with SQL (the tests own no Django test database), and two days of the scheduled jobs."""

import datetime
import os
from types import SimpleNamespace

import psycopg2
import pytest

from assessment.notify.models import Channel, Delivery
from tests.servers import SMTPServer

from . import cron
from .web import NGINX, STACK, inputs, signed_in


def sql(query, params=(), url=None):
    """Rows of one query on the stack's database (or `url`'s)."""
    with psycopg2.connect(url or os.environ["DATABASE_URL"]) as connection, connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    connection.close()
    return rows


@pytest.fixture(scope="session")
def mail():
    if not STACK:
        pytest.skip("no stack")
    server = SMTPServer()
    server.port = int(os.environ["STACK_SMTP_PORT"])
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def two_days(mail):
    """The office queues reminders on its page; then every cron line runs at its last due time of yesterday
    and of today (the 24 hours up to now), in the order they fall, as cron would have run them."""
    office = signed_in(NGINX, "office")
    nonce = inputs(office.get(NGINX, "/units/reminders/").text)["nonce"]
    assert office.post(NGINX, "/units/reminders/", {"nonce": nonce}).status_code == 302
    queued = sql(
        f"SELECT id, recipient FROM {Delivery._meta.db_table} WHERE status = %s AND channel = %s",
        (Delivery.Status.QUEUED, Channel.EMAIL),
    )
    variables, lines = cron.cron_file()
    today = cron.now_to_the_minute()
    runs = []
    for day_end in (today - datetime.timedelta(days=1), today):
        for at, line in cron.due_times(lines, day_end):
            runs.append(SimpleNamespace(at=at, line=line, process=cron.run_line(line, at, variables)))
    return SimpleNamespace(runs=runs, lines=lines, queued=queued, today=today)
