"""The API's answers made outside its views: a request Django refuses before any view (400), a path no route
matches (404), a failed CSRF check.

They came in Django's and DRF's own forms (the portal's HTML 400 and 404 pages, "CSRF Failed: …" in
English); under /api/ every refusal is the one JSON shape of `core.api.base`, in Chinese.
"""

from django.core.exceptions import DisallowedHost, RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from core.api.base import error_body
from core.security import views as security_views

API_PREFIX = "/api/"
NOT_FOUND = "没有这个接口地址，或要找的内容不在本账号可见的范围内。接口的说明见 /api/v1/docs/。"
CSRF_FAILED = (
    "安全校验（CSRF）未通过：浏览器中的修改需要页面给出的 CSRF 令牌，请刷新页面后重试；"
    "其他系统请用接口令牌（Authorization: Token …）访问。"
)


def is_api(request):
    return request.path.startswith(API_PREFIX)


def _json(code, detail, status):
    return JsonResponse(error_body(code, detail), status=status, json_dumps_params={"ensure_ascii": False})


def bad_request(request, exception=None):
    """handler400: the JSON shape for a path under /api/ (a body over the limit…), the portal's page elsewhere."""
    if not is_api(request):
        return security_views.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent):
        detail = "请求内容超过了接口接受的大小上限，请分批提交。"
    elif isinstance(exception, DisallowedHost):
        detail = "请求的主机名不是本门户的地址。"
    else:
        detail = "请求无法处理，请检查请求的格式。"
    return _json("bad_request", detail, 400)


def not_found(request, exception=None):
    """handler404: the JSON shape for a path under /api/, the portal's page elsewhere."""
    if is_api(request):
        return _json("not_found", NOT_FOUND, 404)
    return defaults.page_not_found(request, exception)


class PortalSessionAuthentication(SessionAuthentication):
    """DRF's session login for the browser's own calls; a missing or wrong CSRF token is refused in Chinese."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise exceptions.PermissionDenied(CSRF_FAILED) from exc
