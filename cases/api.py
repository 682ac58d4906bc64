"""Reward and penalty cases (奖惩案例) over the API: reading, writing and the review, as on the pages.

Reporters read and write their own unit's cases, office staff all of them, leaders read only;
anonymous visitors read cases only as printed in a published issue (bulletins.api, PrintedCaseSerializer).
Every write goes through `cases.services` (create_case, update_case, submit_case, withdraw_case,
accept_case, return_case, set_for_bulletin): the serializers here check the shape of a request, the
services decide, and their DomainError is the API's 409 in Chinese (the request was well formed; the
case as it stands does not allow it). Attachments are not in the API.
"""

import django_filters
from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assessment import access
from core.api.base import ErrorSerializer, IdFilter, PortalFilterSet, RoleScopedMixin
from core.api.fields import PortalModelSerializer, TextField
from core.people import api_name

from . import services
from .forms import REQUIRED_MESSAGES, STATUS_FILTERS
from .models import PENDING_STATUSES, Case, CaseStatus, CaseTransition

# --- serializers (reading)


class PrintedCaseSerializer(serializers.ModelSerializer):
    """A case as the bulletin prints it: what anyone may read in a published issue."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    printed_title = serializers.CharField(read_only=True, help_text="按通报印出的标题，如 守信激励·…")
    source_unit_name = serializers.CharField(source="source_unit.name", read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "kind",
            "kind_display",
            "title",
            "printed_title",
            "subtitle",
            "body",
            "source_unit",
            "source_unit_name",
            "source_label",
            "year",
            "quarter",
            "created_at",
        ]
        read_only_fields = fields


class CaseTransitionSerializer(serializers.ModelSerializer):
    # Empty for the first step (the case was written): the schema must say "" is a value too.
    from_status = serializers.ChoiceField(choices=CaseStatus.choices, allow_blank=True, read_only=True)
    from_status_display = serializers.CharField(source="get_from_status_display", read_only=True)
    to_status_display = serializers.CharField(source="get_to_status_display", read_only=True)
    by = serializers.SerializerMethodField()

    class Meta:
        model = CaseTransition
        fields = ["from_status", "from_status_display", "to_status", "to_status_display", "by", "at", "reason"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_by(self, transition):
        return api_name(transition.by)


class CaseSerializer(PrintedCaseSerializer):
    """A case with its review: status, who wrote and submitted it, every step with who, when and why."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)
    created_by = serializers.SerializerMethodField()
    submitted_by = serializers.SerializerMethodField()
    transitions = CaseTransitionSerializer(many=True, read_only=True, help_text="流转记录（谁、何时、理由）")

    class Meta(PrintedCaseSerializer.Meta):
        fields = [
            *PrintedCaseSerializer.Meta.fields,
            "status",
            "status_display",
            "subject",
            "measure",
            "event_date",
            "channel",
            "channel_display",
            "for_bulletin",
            "created_by",
            "submitted_by",
            "submitted_at",
            "accepted_at",
            "updated_at",
            "transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_created_by(self, case):
        return api_name(case.created_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_submitted_by(self, case):
        return api_name(case.submitted_by)


# --- serializers (writing): the shape of a request only; cases.services decides


QUARTER_MESSAGE = "季度只能是1至4。"


def _required(name):
    return {"required": True, "error_messages": {"required": REQUIRED_MESSAGES[name], "blank": REQUIRED_MESSAGES[name]}}


class CaseWriteSerializer(PortalModelSerializer):
    """A case as its unit writes it in the form; staff also give the source and how the case came in."""

    submit = serializers.BooleanField(
        default=False, write_only=True, help_text="true：保存后立即报送（报送审核）；false：只保存（草稿）"
    )

    class Meta:
        model = Case
        fields = [*services.CASE_FIELDS, "submit"]
        # Required as in the case form (cases.forms.CaseForm), with its words.
        extra_kwargs = {
            "kind": _required("kind"),
            "title": _required("title"),
            "body": {**_required("body"), "help_text": "每段一行；网页或 Word 的格式会被去掉，含脚本的内容被拒绝"},
            "subject": {**_required("subject"), "allow_blank": False},
            "measure": {**_required("measure"), "allow_blank": False},
            "event_date": {**_required("event_date"), "allow_null": False, "help_text": "发生日期；年度随之确定"},
            "quarter": {
                "required": False,
                "help_text": "季度（1–4）；不填则按发生日期计算，改发生日期时也随之重算",
                "error_messages": {"min_value": QUARTER_MESSAGE, "max_value": QUARTER_MESSAGE},
            },
            "source_unit": {"help_text": "报送单位 id（市信用办代单位录入时填写；填报员总是本单位）"},
            "source_label": {
                "required": False,
                "allow_blank": True,
                "help_text": "印在案例末尾括号中的来源，如 市“331”专班（市信用办填写；选了单位可不填）",
            },
            "channel": {"help_text": "报送方式（市信用办填写；填报员总是网上报送）"},
        }


class ReasonSerializer(serializers.Serializer):
    reason = TextField(allow_blank=True, help_text="退回理由：告诉单位需要修改什么")


class WithdrawSerializer(serializers.Serializer):
    reason = TextField(required=False, allow_blank=True, default="", help_text="撤回说明（可不填）")


class BulletinSerializer(serializers.Serializer):
    for_bulletin = serializers.BooleanField(default=True, help_text="true：供通报选用；false：取消")


# --- filters


class CaseFilter(PortalFilterSet):
    status = django_filters.ChoiceFilter(
        choices=[choice for choice in STATUS_FILTERS if choice[0]],
        method="filter_status",
        help_text="状态；pending = 待审核（已报送、已重新报送）",
    )
    unit = IdFilter(field_name="source_unit_id", help_text="报送单位 id")
    source_unit = IdFilter(field_name="source_unit_id", help_text="报送单位 id（同 unit）")
    category = django_filters.CharFilter(field_name="source_unit__category__slug", help_text="报送单位的类别标识")

    class Meta:
        model = Case
        fields = ["status", "year", "quarter", "kind", "unit", "source_unit", "category", "for_bulletin"]

    def filter_status(self, queryset, name, value):
        if value == "pending":
            return queryset.filter(status__in=PENDING_STATUSES)
        return queryset.filter(status=value)


# --- the viewset

_CASE_RESPONSES = {200: CaseSerializer, 400: ErrorSerializer, 409: ErrorSerializer}


class CaseViewSet(RoleScopedMixin, viewsets.ReadOnlyModelViewSet):
    """奖惩案例。填报员只看到、只能填写本单位的案例；市信用办审核；领导只读。"""

    queryset = (
        Case.objects.select_related("source_unit", "created_by", "submitted_by")
        .prefetch_related(
            Prefetch("transitions", queryset=CaseTransition.objects.select_related("by").order_by("at", "pk"))
        )
        .order_by("-year", "-quarter", "-pk")
    )
    serializer_class = CaseSerializer
    unit_field = "source_unit"
    filterset_class = CaseFilter
    ordering_fields = ["year", "quarter", "status", "created_at", "submitted_at", "updated_at", "id"]
    # Reporters write their own unit's cases (the queryset hides the others); the office reviews.
    allowed = {"create": access.can_write_cases}
    allowed_on = {
        "partial_update": access.can_act_on_case,
        "submit": access.can_act_on_case,
        "withdraw": access.can_act_on_case,
        "accept": lambda user, case: access.can_review_cases(user),
        "return_case": lambda user, case: access.can_review_cases(user),
        "bulletin": lambda user, case: access.can_review_cases(user),
    }

    def _done(self, case, status_code=status.HTTP_200_OK):
        """The case as it is now, read as a list row would be (same serializer, same queries)."""
        return Response(CaseSerializer(self.get_queryset().get(pk=case.pk)).data, status=status_code)

    @staticmethod
    def _case_data(request, partial=False):
        data = CaseWriteSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        submit = fields.pop("submit", False)
        if "event_date" in fields and "quarter" not in fields:
            fields["quarter"] = None  # the service takes the quarter from the date
        return fields, submit

    @extend_schema(
        request=CaseWriteSerializer,
        responses={201: CaseSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
        parameters=[
            OpenApiParameter(
                "Location", str, OpenApiParameter.HEADER, response=[201], description="新案例的地址", required=True
            )
        ],
        summary="填写案例（草稿，或 submit=true 直接报送）",
        description="与门户表单相同的规则（cases.services.create_case）。填报员的案例总是本单位的，"
        "来源、报送方式由系统填写；市信用办可代单位录入（source_unit），或填写不是责任单位的来源（source_label）。"
        "正文中的网页格式被去掉，含脚本的内容被拒绝。附件请在门户页面上传。",
    )
    def create(self, request, *args, **kwargs):
        fields, submit = self._case_data(request)
        case = services.create_case(request.user, fields, submit=submit)
        response = self._done(case, status.HTTP_201_CREATED)
        response["Location"] = reverse("api:case-detail", args=[case.pk])
        return response

    @extend_schema(
        request=CaseWriteSerializer,
        responses=_CASE_RESPONSES,
        summary="修改案例（可同时 submit=true 重新报送）",
        description="cases.services.update_case：填报员只能修改本单位草稿、已退回或已撤回的案例"
        "（等待审核的请先撤回；已采用的不能再改）；市信用办可以修改任何案例。",
    )
    def partial_update(self, request, *args, **kwargs):
        case = self.get_object()
        fields, submit = self._case_data(request, partial=True)
        return self._done(services.update_case(case, request.user, fields, submit=submit))

    @extend_schema(
        request=None,
        responses=_CASE_RESPONSES,
        summary="报送（草稿、已撤回 → 已报送；已退回 → 已重新报送）",
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def submit(self, request, pk=None):
        return self._done(services.submit_case(self.get_object(), request.user))

    @extend_schema(request=WithdrawSerializer, responses=_CASE_RESPONSES, summary="撤回（采用之前）")
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def withdraw(self, request, pk=None):
        case = self.get_object()
        data = WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(services.withdraw_case(case, request.user, data.validated_data["reason"]))

    @extend_schema(request=None, responses=_CASE_RESPONSES, summary="采用（市信用办）；通知报送人")
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def accept(self, request, pk=None):
        return self._done(services.accept_case(self.get_object(), request.user))

    @extend_schema(
        request=ReasonSerializer, responses=_CASE_RESPONSES, summary="退回并说明理由（市信用办）；通知报送人"
    )
    @action(
        detail=True, methods=["post"], url_path="return", url_name="return", filter_backends=[], pagination_class=None
    )
    def return_case(self, request, pk=None):
        case = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(services.return_case(case, request.user, data.validated_data["reason"]))

    @extend_schema(
        request=BulletinSerializer, responses=_CASE_RESPONSES, summary="标记供通报选用（市信用办，已采用的案例）"
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def bulletin(self, request, pk=None):
        case = self.get_object()
        data = BulletinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._done(services.set_for_bulletin(case, request.user, data.validated_data["for_bulletin"]))
