"""HEAD through the WSGI handler gunicorn calls (not the test client, which drops bodies itself): GET's status and
headers, Content-Length included, and no body; for a page, a health check and a stored file."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def _served(method, path):
    """What a WSGI server receives: status, headers and the body bytes, as gunicorn would send them."""
    environ = RequestFactory().generic(method, path).environ
    started = {}

    def start_response(status, headers, exc_info=None):
        started.update(status=status, headers=dict(headers))

    result = WSGIHandler()(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()
    return started["status"], started["headers"], body


@pytest.mark.parametrize("path", ["/bulletins/2019/11/", "/healthz", "/bulletins/2019/11/progress.xlsx"])
def test_head_is_get_without_the_body(path):
    get_status, get_headers, get_body = _served("GET", path)
    head_status, head_headers, head_body = _served("HEAD", path)
    assert get_status == head_status and get_body  # /healthz: 503 here, no job has run in the test database
    assert head_body == b""
    assert head_headers["Content-Type"] == get_headers["Content-Type"]
    assert head_headers["Content-Length"] == get_headers.get("Content-Length", str(len(get_body)))
