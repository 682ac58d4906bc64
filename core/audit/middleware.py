"""Remembers the request being served (for the audit's address) and records refused actions (403)."""

from django.core.exceptions import PermissionDenied

from core.audit.actions import AuditAction
from core.audit.models import AuditResult
from core.audit.services import current_request, record


class AuditMiddleware:
    """After AuthenticationMiddleware: services and signals see the request, and every 403 is an entry."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            reason = " ".join(str(arg) for arg in exception.args)
            record(
                AuditAction.ACCESS_DENIED,
                request=request,
                obj=("页面", "", f"{request.method} {request.path}"),
                result=AuditResult.DENIED,
                detail=reason,
            )
        return None
