"""What every app's API shares: the portal's access policy as a DRF permission, errors in Chinese, pages, throttles.

Who may see and do what is decided by `assessment.access`, exactly as for the pages (its docstring has the
rule): anonymous → 401 (except routes marked `public = True`, published issues); outside one's reach → 404
(rows of another unit, an all-units route for a reporter, any route for an account without role); visible
but not allowed → 403. A viewset says which of its rows belong to a unit (`unit_field`), who may use it at
all (`visible`, default: any role) and who may write with each action (`allowed` with predicates of the
user, `allowed_on` with predicates of the user and the object; office staff when not said).
"""

import re

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import models
from django.http import Http404
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from core import access
from core.api.fields import in_words
from core.audit.actions import AuditAction
from core.audit.models import AuditResult
from core.audit.services import record
from core.clients import client_ip
from core.errors import Conflict, DomainError
from core.office.models import get_office

# --- who may do what


class RoleScopedMixin:
    """A viewset whose rows are scoped by `access.scope`: rows outside one's reach are 404."""

    unit_field = None
    # Any id in the path reaches the view, so "/units/0.5/" is the API's JSON 404, not the HTML page.
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return access.scope(super().get_queryset(), self.request.user, self.unit_field)


class PortalPermission(BasePermission):
    """The pages' rules for the API, asked of `assessment.access`.

    view.public: anonymous visitors may read. view.visible: predicate(user) for the route (404 when false).
    view.allowed / view.allowed_on: {action: predicate} for writes (403 when false). On a single object the
    queryset is asked first, so another unit's object is 404, not 403.
    """

    message = access.OFFICE_ONLY

    def has_permission(self, request, view):
        user = request.user
        safe = request.method in SAFE_METHODS
        if safe and getattr(view, "public", False):
            return True
        if not user.is_authenticated:
            return False  # DRF answers 401
        visible = getattr(view, "visible", access.has_role)
        if not access.has_role(user) or not visible(user):
            raise exceptions.NotFound(access.NOT_FOUND)
        if safe:
            return True
        self.message = access.denied_message(user)
        if access.is_read_only(user):
            return False  # a leader writing: 403 whatever the route
        if getattr(view, "detail", False):
            return True  # has_object_permission decides, after the queryset has said 404 or not
        return self._rule(view)(user)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        action = getattr(view, "action", None)
        self.message = access.denied_message(request.user)
        if action in getattr(view, "allowed_on", {}):
            return view.allowed_on[action](request.user, obj)
        return self._rule(view)(request.user)

    @staticmethod
    def _rule(view):
        return getattr(view, "allowed", {}).get(getattr(view, "action", None), access.can_manage)


# --- filters, pages and throttles

MAX_ID = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": -MAX_ID - 1, "maximum": MAX_ID})
class IntegerFilter(django_filters.NumberFilter):
    """A whole number in a query (?year=2019), as the schema says: "0.5" is a 400 naming the parameter."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -MAX_ID - 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(IntegerFilter):
    """An id in a query (?unit=12): a whole number in the database's range, else a 400 naming the parameter.

    Django guards integer columns against out-of-range values, but not foreign-key ids (`unit_id`), where
    SQLite would raise OverflowError.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)


class _StrictBooleanField(forms.TypedChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.pop("empty_value", None)
        words = {"true": True, "false": False, "True": True, "False": False, "1": True, "0": False}
        super().__init__(
            *args,
            choices=[(word, word) for word in words],
            coerce=words.get,
            empty_value=None,
            error_messages={"invalid_choice": "应为 true 或 false。"},
            **kwargs,
        )


@extend_schema_field({"type": "boolean"})
class BooleanFilter(django_filters.BooleanFilter):
    """A yes/no in a query (?is_active=true): true or false, anything else a 400 (django-filter ignored it)."""

    field_class = _StrictBooleanField


class PortalFilterSet(django_filters.FilterSet):
    """The API's filter sets: a model's integer column (year, quarter, number) is filtered by an IntegerFilter,
    a yes/no column (is_active, for_bulletin) by a BooleanFilter refusing what is neither."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        **{
            column: {"filter_class": IntegerFilter}
            for column in (
                models.IntegerField,
                models.SmallIntegerField,
                models.BigIntegerField,
                models.PositiveIntegerField,
                models.PositiveSmallIntegerField,
                models.PositiveBigIntegerField,
            )
        },
        models.BooleanField: {"filter_class": BooleanFilter},
    }


class Pagination(PageNumberPagination):
    """?page=2&page_size=200 (at most 1000 rows a page); a page or page_size that is not a whole number is a 400."""

    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        asked = request.query_params.get(self.page_size_query_param)
        if asked is not None and not (asked.isascii() and asked.isdigit() and int(asked) >= 1):
            raise exceptions.ValidationError({self.page_size_query_param: ["每页行数应为 1 至 1000 的整数。"]})
        return super().get_page_size(request)

    def get_page_number(self, request, paginator):
        asked = request.query_params.get(self.page_query_param)
        if asked is not None and asked not in self.last_page_strings and not (asked.isascii() and asked.isdigit()):
            raise exceptions.ValidationError({self.page_query_param: ["页码应为从 1 开始的整数。"]})
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] in (self.page_query_param, self.page_size_query_param):
                parameter["schema"]["minimum"] = 1
        return parameters


class _RatesFromSettings:
    """Read the rate when the throttle is made, so a settings override in tests takes effect."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class AnonThrottle(_RatesFromSettings, AnonRateThrottle):
    """Anonymous visitors (they can only read published issues) per IP: DJANGO_API_ANON_RATE."""

    scope = "anon"

    def get_ident(self, request):
        # The client as the audit log and the lockout see it, never an X-Forwarded-For the client wrote itself.
        return client_ip(request) or "unknown"


class TokenThrottle(_RatesFromSettings, SimpleRateThrottle):
    """Other systems, per account using a token: DJANGO_API_TOKEN_RATE. Browser sessions are not throttled."""

    scope = "token"

    def get_cache_key(self, request, view):
        if request.auth is None or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


# --- errors: {"code": …, "detail": "中文…", "fields": {"field": ["中文…"]}}

_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    415: "unsupported_media_type",
    429: "throttled",
}


_CJK = re.compile(r"[\u4e00-\u9fff]")
_CHINESE = {
    "not_found": "没有找到，或不在本账号可见的范围内。",
    "parse_error": "请求内容无法解析",
    "permission_denied": "您没有执行该操作的权限。",
    "not_authenticated": "身份认证信息未提供。",
    "unsupported_media_type": "接口只接受 JSON 格式的请求内容（Content-Type: application/json）。",
    "method_not_allowed": "该地址不支持此请求方法。",
    "not_acceptable": "接口只返回 JSON 格式的内容。",
    "throttled": "请求过于频繁，请稍后再试。",
}


# Codes whose English original says something useful (the JSON error, "CSRF Failed…"): kept after the Chinese.
_KEEP_ORIGINAL = {"parse_error", "permission_denied"}


def _flatten(detail, prefix=""):
    """Nested DRF errors as {"changes.2.value": ["…"]}; valid items of a list ({} entries) are skipped."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == api_settings.NON_FIELD_ERRORS_KEY and prefix:
                yield from _flatten(value, prefix)  # a list's own error ("列表不能为空") belongs to the list
            else:
                yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(detail, list) and all(isinstance(item, str) for item in detail):
        if detail:
            yield prefix or "non_field_errors", [in_words(str(item)) for item in detail]
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            yield from _flatten(item, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield prefix or "non_field_errors", [in_words(str(detail))]


def _leaves(codes):
    """The codes of a ValidationError (`get_codes()`: a code, or lists and dicts of them), one by one."""
    if isinstance(codes, dict):
        for value in codes.values():
            yield from _leaves(value)
    elif isinstance(codes, list):
        for value in codes:
            yield from _leaves(value)
    else:
        yield codes


def error_body(code, detail, fields=None, **extra):
    return {"code": code, "detail": detail, "fields": fields or {}, **extra}


def _domain_response(exc):
    """A service's refusal (DomainError) is a 409: the request was well formed and passed the schema (a 400
    says what in it is not), but the data as it stands does not allow it (a value this column does not
    take, a step out of order, a case without a source). A stale version is the 409 that says who and what."""
    conflict = exc if isinstance(exc, Conflict) else exc.__cause__
    if isinstance(conflict, Conflict):
        # Someone saved the thing after the client read it: say who and what, send it as it is now.
        return Response(error_body("stale", str(exc), current=conflict.current()), status=409)
    return Response(error_body("refused", str(exc)), status=409)


def _record_refusal(request, exc):
    # DRF answers its own refusals, so the audit middleware (which sees the pages' 403s) never does:
    # an API action refused to an account is an entry too, with the token's account as the actor.
    detail = getattr(exc, "detail", None) or " ".join(str(arg) for arg in exc.args)
    record(
        AuditAction.ACCESS_DENIED,
        request=request,
        obj=("接口", "", f"{request.method} {request.path}"),
        result=AuditResult.DENIED,
        detail=str(detail),
    )


def exception_handler(exc, context):
    """Every refusal of the API in one shape, in Chinese, naming the fields concerned."""
    # Imported here: this module is loaded by DRF's settings while rest_framework.views is importing.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DomainError):
        return _domain_response(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real error: Django's 500
    if isinstance(exc, exceptions.ValidationError):
        fields = dict(_flatten(exc.detail))
        summary = "；".join(
            ("" if name == "non_field_errors" else f"{name}：") + "".join(messages) for name, messages in fields.items()
        )
        if set(_leaves(exc.get_codes())) == {"does_not_exist"}:
            # Only ids of things that are not there (source_unit: 0): well formed, so not found, with the
            # field named, as a batch naming a cell that does not exist.
            response.status_code = 404
            response.data = error_body("not_found", summary, fields)
            return response
        response.data = error_body("invalid", summary or "提交的数据有误。", fields)
        return response
    if isinstance(exc, exceptions.PermissionDenied | DjangoPermissionDenied) and response.status_code == 403:
        _record_refusal(context["request"], exc)
    if isinstance(exc, Http404 | DjangoPermissionDenied):
        code = _CODES.get(response.status_code, "error")
    else:
        code = getattr(exc, "default_code", None) or _CODES.get(response.status_code, "error")
    detail = response.data.get("detail") if isinstance(response.data, dict) else None
    detail = str(detail) if detail else ""
    if code == "unsupported_media_type":
        detail = _CHINESE[code]  # DRF names only the type it refused; say what the API takes
    elif not _CJK.search(detail):
        # Some refusals come in English from Django or Python (404 of a lookup, JSON errors): say it in Chinese.
        fallback = _CHINESE.get(code, "请求未能完成。")
        detail = f"{fallback}（{detail}）" if detail and code in _KEEP_ORIGINAL else fallback
    response.data = error_body(code, detail)
    return response


class ErrorSerializer(serializers.Serializer):
    """The body of every refusal (documentation only)."""

    code = serializers.CharField(help_text="invalid, not_authenticated, permission_denied, not_found, stale…")
    detail = serializers.CharField(help_text="中文说明，含字段名")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="字段名 → 中文错误信息"
    )


class CurrentMarkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    value = serializers.CharField()
    version = serializers.IntegerField()
    updated_by = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField()


class StaleErrorSerializer(ErrorSerializer):
    """409: the cell was changed by someone else after the client read it (`stale`, with `current`), or the
    service refused the value (`refused`) (documentation only)."""

    current = CurrentMarkSerializer(
        required=False, help_text="stale：单元格现在的内容、版本、修改人和时间；refused（该列不接受这个值等）时没有"
    )


def document_errors(result, generator, request, public):
    """drf-spectacular hook: every operation documents the error shape for the refusals it can give."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Error",
        {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "detail": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            },
            "required": ["code", "detail", "fields"],
        },
    )
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    descriptions = {
        "400": "数据或查询参数有误",
        "401": "未登录或令牌无效",
        "403": "无权进行此操作",
        "404": "不存在，或不在本账号可见范围内",
        "429": "请求过于频繁",
    }
    # A write the data as it stands does not allow (core.errors.DomainError): reads are never refused so.
    refused = {"409": "数据当前的状态不允许此操作（如该列不接受这个值、步骤顺序不对），或已被他人修改"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            writes = refused if method.upper() not in SAFE_METHODS else {}
            for status, description in {**descriptions, **writes}.items():
                responses.setdefault(status, {"description": description, "content": ref})
    return result


def office_title(result, generator, request, public):
    """drf-spectacular hook: the schema's title is the office's site title (data, not a setting).

    Served schemas only: `manage.py spectacular` (no request) keeps the setting's neutral title."""
    if request is None:
        return result
    result.setdefault("info", {})["title"] = f"{get_office().site_title} 接口"
    return result
