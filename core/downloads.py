"""The one download response of the portal: workbooks, PDF and Word files, attachments.

Django's FileResponse writes Content-Disposition with `content_disposition_header`, which keeps a
Chinese file name (RFC 5987 `filename*=utf-8''…`), and streams a file object instead of holding it.
"""

import io

from django.http import FileResponse


def download_response(content, filename, content_type=None, *, audit=None, obj=None):
    """An attachment named `filename`: `content` is bytes or an open binary file (closed once sent).

    audit: the request, for a download of non-public data — recorded in the audit log (who, from where,
    which file, `obj` the thing downloaded).
    """
    if audit is not None:
        from core.audit import record
        from core.audit.actions import AuditAction

        record(AuditAction.DOWNLOAD, request=audit, obj=obj, detail=filename)
    if isinstance(content, bytes | bytearray):
        content = io.BytesIO(content)
    response = FileResponse(content, as_attachment=True, filename=filename, content_type=content_type)
    # Never let a browser guess another type from the bytes (an upload is whatever its owner says it is).
    response["X-Content-Type-Options"] = "nosniff"
    return response
