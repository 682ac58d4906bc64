"""Stored files handed to nginx: a download the view has allowed goes out as X-Accel-Redirect.

With DJANGO_ACCEL_REDIRECT set (the nginx `internal` location that maps MEDIA_ROOT, e.g.
/_media/), a FileResponse of a file under MEDIA_ROOT leaves the app as an empty response whose
X-Accel-Redirect header names the file; nginx sends the file itself, with the headers the view
set (Content-Type, Content-Disposition). The view still decides who may download it: the
internal location cannot be requested from outside. Unset, nothing changes (runserver, tests).
"""

import os
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse

KEPT_HEADERS = ("Content-Type", "Content-Disposition", "X-Content-Type-Options", "Cache-Control")


def _media_relative(response):
    stream = getattr(response, "file_to_stream", None)
    try:
        path = getattr(stream, "path", None) or getattr(stream, "name", None)
    except NotImplementedError:  # a storage without local files (object storage): the app streams it
        return None
    if not isinstance(path, str):
        return None
    root = os.path.realpath(settings.MEDIA_ROOT)
    full = os.path.realpath(path)
    if os.path.commonpath([root, full]) != root:
        return None
    return os.path.relpath(full, root)


class AccelRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        prefix = settings.ACCEL_REDIRECT_PREFIX
        if not prefix or not isinstance(response, FileResponse) or response.status_code != 200:
            return response
        relative = _media_relative(response)
        if relative is None:
            return response
        handed = HttpResponse(b"")
        for name in KEPT_HEADERS:
            if name in response:
                handed[name] = response[name]
        handed["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(relative.replace(os.sep, "/"))
        # Only the file: response.close() would also send request_finished (and close the database
        # connection) in the middle of the request.
        response.file_to_stream.close()
        return handed
