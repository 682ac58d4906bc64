"""A leader's pages link only to what a leader may open: every link on the overview, the home page and
the case list answers 200 (or a download/redirect), never 403 or 404."""

import re
from html import unescape

import pytest

SKIPPED = ("/accounts/logout/", "/static/", "#")


@pytest.mark.parametrize("url", ["/overview/2019/", "/", "/cases/", "/assessment/2019/"])
def test_every_link_a_leader_is_shown_opens(role_client, reporter_case, url):
    client = role_client("leader")
    html = client.get(url).content.decode()
    links = {unescape(href) for href in re.findall(r'href="([^"]+)"', html)}
    links = {link for link in links if link.startswith("/") and not link.startswith(SKIPPED)}
    assert links
    refused = {}
    for link in sorted(links):
        status = client.get(link).status_code
        if status in (403, 404):
            refused[link] = status
    assert refused == {}, f"{url} links to pages a leader cannot open"


def test_the_overview_sends_leaders_to_the_case_list_and_staff_to_the_queue(role_client, reporter_case):
    leader = role_client("leader").get("/overview/2019/").content.decode()
    assert 'href="/cases/?status=pending&amp;year=2019"' in leader and "/cases/review/" not in leader
    staff = role_client("staff").get("/overview/2019/").content.decode()
    assert 'href="/cases/review/?status=pending&amp;year=2019"' in staff
