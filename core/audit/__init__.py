"""The security audit log (安全审计): who did what, from where, with which result; append-only.

`record(action, actor=…, request=…, obj=…, result=…, detail=…)` writes one `AuditEntry`; the signals in
`signals.py` record logins, logouts, lockouts, passwords, second factors, accounts, roles and API tokens,
the services record imports, bulk changes, undo, publication and year close (`audited`), and
`core.downloads.download_response(…, audit=request)` records downloads of non-public data.
Entries are read by the auditor role (审计员) at /audit/ and can be changed or deleted by no one: the
model refuses it, the admin is read-only, and on PostgreSQL a trigger refuses UPDATE and DELETE. Every entry is
a link of an HMAC hash chain (`chain.py`); `manage.py verify_audit` (an hourly job) names the first broken link,
and `manage.py grant_app_role` keeps the application's PostgreSQL role from truncating or altering the table.
"""


def record(action, *, actor=None, request=None, obj=None, result="ok", detail=""):
    """Write one audit entry (see `core.audit.services.record`)."""
    from core.audit.services import record as _record

    return _record(action, actor=actor, request=request, obj=obj, result=result, detail=detail)


def audited(action, describe, *, refused=()):
    """A service decorator recording each call (see `core.audit.services.audited`)."""
    from core.audit.services import audited as _audited

    return _audited(action, describe, refused=refused)
