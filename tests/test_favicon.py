"""/favicon.ico, which every browser asks for on every page, is the portal's small icon from static/."""

import pytest


@pytest.mark.django_db
def test_favicon_is_served_from_static(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.ico"
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    body = b"".join(icon.streaming_content) if icon.streaming else icon.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an .ico file's header


@pytest.mark.django_db
def test_pages_name_the_icon(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.ico">' in html
