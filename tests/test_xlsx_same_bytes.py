"""A published issue's workbook is the same bytes on every download, stamped with its publication time."""

import datetime
import io
import time
import zipfile

from openpyxl import load_workbook

from bulletins.models import Issue

URL = "/bulletins/2019/11/progress.xlsx"


def _get(client):
    response = client.get(URL)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_two_downloads_a_second_apart_are_identical(client, db):
    first = _get(client)
    time.sleep(1.1)  # openpyxl and zipfile stamp the current second; the fix must not depend on luck
    assert _get(client) == first


def test_the_workbook_carries_the_publication_time(client, db):
    body = _get(client)
    published = Issue.objects.get(year=2019, number=11).current_version.published_at
    properties = load_workbook(io.BytesIO(body)).properties
    expected = published.astimezone(datetime.UTC).timetuple()[:6]
    assert properties.created.timetuple()[:6] == expected and properties.modified == properties.created
    assert {info.date_time for info in zipfile.ZipFile(io.BytesIO(body)).infolist()} == {expected}
