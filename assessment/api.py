"""The assessment over the API: categories, units, schemes (indicators, notes) and marks.

Reading is scoped by role (core.api.base); marks change only through `services.set_mark` and
`services.bulk_set_marks`, so the API refuses exactly what the browser refuses, in the same words.
"""

import django_filters
from django.db.models import Prefetch, Q
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from assessment.marks.services import HOW, bulk_set_marks, set_mark
from core.api.base import (
    MAX_ID,
    ErrorSerializer,
    IdFilter,
    IntegerFilter,
    PortalFilterSet,
    RoleScopedMixin,
    StaleErrorSerializer,
    error_body,
)
from core.api.fields import TextField, WholeBody
from core.people import api_name

from . import access, cells
from .due import DueStatus
from .models import Category, Indicator, Mark, Note, RuleGroup, Scheme, SchemeUnit, Unit
from .scheme_fields import (
    INDICATOR,
    NOTE,
    RULE_GROUP,
    SCHEME,
    SCHEME_UNIT,
    accessor,
    extension_values,
    indicator_extensions,
)
from .years import scheme_years

MAX_BATCH = 2000

# --- serializers (reading)


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug", "order"]


class UnitSerializer(serializers.ModelSerializer):
    category = CategorySerializer(read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "full_name", "category", "order", "is_active"]


class IndicatorSerializer(serializers.ModelSerializer):
    header = serializers.CharField(read_only=True, help_text="按通报印出的表头，如 信用承诺 (0.1分)")
    rule_kind_display = serializers.CharField(source="get_rule_kind_display", read_only=True)
    allowed_states = serializers.ListField(child=serializers.CharField(), read_only=True)
    due_rule_display = serializers.CharField(source="get_due_rule_display", read_only=True)
    parts = serializers.SerializerMethodField(
        help_text="其他模块登记的方案组成部分，如 case_duty 的 per_quarter（每季度应报案例数）"
    )

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "object", "nullable": True}})
    def get_parts(self, indicator):
        return extension_values(indicator)

    class Meta:
        model = Indicator
        # Every declared field of an indicator (assessment.scheme_fields), then what the API adds to read it.
        fields = ["id", *INDICATOR.fields, "header", "rule_kind_display", "due_rule_display", "parts"]


class NoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = ["id", *NOTE.fields]


class RuleGroupSerializer(serializers.ModelSerializer):
    note_number = serializers.IntegerField(source="note.number", read_only=True, help_text="合并计分依据的说明序号")
    indicators = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="合并计分的指标")

    class Meta:
        model = RuleGroup
        fields = ["id", *RULE_GROUP.fields, "note_number", "indicators"]


class SchemeUnitSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = SchemeUnit
        fields = ["id", *SCHEME_UNIT.fields, "unit_name"]


class SchemeSerializer(serializers.ModelSerializer):
    category = CategorySerializer(read_only=True)
    full_points = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)
    notes = NoteSerializer(many=True, read_only=True)
    rule_groups = RuleGroupSerializer(many=True, read_only=True)
    scheme_units = SchemeUnitSerializer(many=True, read_only=True)

    class Meta:
        model = Scheme
        # The declared parts of a scheme (assessment.scheme_fields); its units with their places in the table.
        fields = ["id", "year", *SCHEME.fields, "full_points", "indicators", "notes", "rule_groups", "scheme_units"]


def mark_cells(marks):
    """{mark id: Cell} of the marks (indicator and scheme loaded): the cells every page shows (assessment.cells)."""
    marks = list(marks)
    return cells.cells_of_marks(marks, {m.indicator_id: m.indicator for m in marks})


class MarkSerializer(serializers.ModelSerializer):
    """A cell as the grid and the bulletin show it: `value`, `state` and `count` come from assessment.cells.

    The serializer's context carries `cells` ({mark id: Cell}, from `mark_cells`).
    """

    value = serializers.SerializerMethodField(help_text="单元格内容（与录入表格、通报相同），如 √、*、非考核项、4")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    indicator_title = serializers.CharField(source="indicator.title", read_only=True)
    year = serializers.IntegerField(source="indicator.scheme.year", read_only=True)
    category = serializers.CharField(source="indicator.scheme.category.slug", read_only=True)
    state = serializers.SerializerMethodField(help_text="标记（显示数量时为空）")
    count = serializers.SerializerMethodField(help_text="显示的数量（如奖惩案例数），没有时为 null")
    derived = serializers.SerializerMethodField(help_text="true：由其他记录自动统计（如奖惩案例），不能直接修改数量")
    updated_by = serializers.SerializerMethodField()
    due_date = serializers.SerializerMethodField(
        help_text="截止日期（按指标的截止规则，或市信用办为该单位调整后的日期）；已逾期时为错过的日期"
    )
    status = serializers.SerializerMethodField(
        help_text="截止情况（与录入表格、单位页面、概览相同）：done 已完成、explained 已说明、not_assessed 非考核项、"
        "not_due 未到期、due_soon 即将到期、overdue 已逾期"
    )
    status_display = serializers.SerializerMethodField(help_text="截止情况的中文，如 已逾期")

    class Meta:
        model = Mark
        fields = [
            "id",
            "unit",
            "unit_name",
            "indicator",
            "indicator_title",
            "year",
            "category",
            "value",
            "state",
            "count",
            "derived",
            "due_date",
            "status",
            "status_display",
            "version",
            "updated_at",
            "updated_by",
        ]
        read_only_fields = fields

    def _cell(self, mark):
        return self.context["cells"][mark.pk]

    @extend_schema_field(serializers.CharField())
    def get_value(self, mark):
        return self._cell(mark).value

    @extend_schema_field(serializers.CharField())
    def get_state(self, mark):
        cell = self._cell(mark)
        return "" if cell.shown_count is not None else cell.state

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_count(self, mark):
        return self._cell(mark).shown_count

    @extend_schema_field(serializers.BooleanField())
    def get_derived(self, mark):
        return self._cell(mark).derived

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_due_date(self, mark):
        return self._cell(mark).due_date

    @extend_schema_field(serializers.ChoiceField(choices=DueStatus.choices))
    def get_status(self, mark):
        return self._cell(mark).status

    @extend_schema_field(serializers.CharField())
    def get_status_display(self, mark):
        cell_due = self._cell(mark).due
        return cell_due.label if cell_due else ""

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_updated_by(self, mark):
        return api_name(mark.updated_by)


# --- serializers (writing): only the shape of the request; the rules are in services.set_mark


class MarkWriteSerializer(WholeBody, serializers.Serializer):
    value = TextField(max_length=50, help_text="√、*、非考核项、已说明、已说明情况、无，或数量（如 4）")
    version = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="读取时的版本号（version）；单元格已被他人修改时返回 409"
    )


class MarkChangeSerializer(MarkWriteSerializer):
    id = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="单元格（完成情况）的 id")


class MarkBatchSerializer(serializers.Serializer):
    description = TextField(max_length=300, required=False, allow_blank=True, default="")
    changes = MarkChangeSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)


def repeated_cells(changes):
    """The ids named more than once in a batch, each once, in order (the API takes a cell once a batch)."""
    seen, repeated = set(), []
    for change in changes:
        if change["id"] in seen and str(change["id"]) not in repeated:
            repeated.append(str(change["id"]))
        seen.add(change["id"])
    return repeated


class MarkBatchResultSerializer(serializers.Serializer):
    batch = serializers.IntegerField(allow_null=True, help_text="批次 id（可整体撤销）；没有任何改动时为 null")
    changed = serializers.IntegerField(help_text="实际改动的单元格数")
    marks = MarkSerializer(many=True)


# --- filters


class UnitFilter(PortalFilterSet):
    category = django_filters.CharFilter(field_name="category__slug", help_text="类别标识，如 towns、departments")
    year = IntegerFilter(field_name="schemes__year", distinct=True, help_text="参加该年度考核的单位")
    name = django_filters.CharFilter(lookup_expr="icontains", help_text="名称包含")

    class Meta:
        model = Unit
        fields = ["category", "year", "name", "is_active"]


class SchemeFilter(PortalFilterSet):
    category = django_filters.CharFilter(field_name="category__slug", help_text="类别标识")

    class Meta:
        model = Scheme
        fields = ["year", "category"]


class MarkFilter(PortalFilterSet):
    year = IntegerFilter(field_name="indicator__scheme__year", help_text="年度")
    category = django_filters.CharFilter(field_name="indicator__scheme__category__slug", help_text="类别标识")
    scheme = IdFilter(field_name="indicator__scheme_id", help_text="考核方案 id")
    unit = IdFilter(field_name="unit_id", help_text="责任单位 id")
    indicator = IdFilter(field_name="indicator_id", help_text="考核指标 id")
    value = django_filters.CharFilter(method="filter_value", help_text="单元格内容，如 *、√ 或数量 4")

    class Meta:
        model = Mark
        fields = ["year", "category", "scheme", "unit", "indicator", "value"]

    def filter_value(self, queryset, name, value):
        """Cells showing `value`: stored ones as the database has them, derived ones (奖惩案例) as cells shows them."""
        value = value.strip()
        derived_ids = [
            i.pk for i in Indicator.objects.filter(accepts_count=True).select_related("scheme") if i.is_derived
        ]
        typed = queryset.exclude(indicator_id__in=derived_ids)
        typed = (
            typed.filter(count=int(value), state="")
            if value.isdigit()
            else typed.filter(state=value, count__isnull=True)
        )
        shown = mark_cells(queryset.filter(indicator_id__in=derived_ids).select_related("indicator__scheme"))
        matching = [pk for pk, cell in shown.items() if cell.value == value]
        return queryset.filter(Q(pk__in=typed.values("pk")) | Q(pk__in=matching))


# --- viewsets


class CategoryViewSet(RoleScopedMixin, viewsets.ReadOnlyModelViewSet):
    """单位类别（区镇、城市管理办事处、部门）。"""

    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    unit_field = None
    ordering_fields = ["order", "name", "id"]


class UnitViewSet(RoleScopedMixin, viewsets.ReadOnlyModelViewSet):
    """责任单位。填报员只看到本单位。"""

    queryset = Unit.objects.select_related("category").order_by("category__order", "order", "pk")
    serializer_class = UnitSerializer
    unit_field = "pk"
    filterset_class = UnitFilter
    ordering_fields = ["order", "name", "id"]


class SchemeViewSet(RoleScopedMixin, viewsets.ReadOnlyModelViewSet):
    """考核方案：一个类别一年的指标（分值、计分方式、可填内容）和说明。填报员只看到本单位参加的方案。"""

    queryset = (
        Scheme.objects.select_related("category")
        .prefetch_related(
            # indicators' notes and rule groups: read by full_points (assessment.scoring)
            Prefetch(
                "indicators",
                queryset=Indicator.objects.order_by("order")
                .select_related(*(accessor(p) for p in indicator_extensions()))
                .prefetch_related("notes"),
            ),
            Prefetch("notes", queryset=Note.objects.order_by("number").prefetch_related("indicators")),
            Prefetch("rule_groups", queryset=RuleGroup.objects.select_related("note").prefetch_related("indicators")),
            Prefetch("scheme_units", queryset=SchemeUnit.objects.select_related("unit").order_by("order", "pk")),
        )
        .order_by("-year", "category__order", "pk")
    )
    serializer_class = SchemeSerializer
    unit_field = "scheme_units__unit"
    filterset_class = SchemeFilter
    ordering_fields = ["year", "id"]


class MarkViewSet(RoleScopedMixin, viewsets.ReadOnlyModelViewSet):
    """完成情况（进度表的单元格）。填报员只看到本单位；只有市信用办可以修改。"""

    queryset = Mark.objects.select_related("unit", "indicator__scheme__category", "updated_by").order_by(
        "indicator__scheme__year", "indicator__scheme__category__order", "indicator__order", "unit__order", "pk"
    )
    serializer_class = MarkSerializer
    unit_field = "unit"
    filterset_class = MarkFilter
    ordering_fields = ["id", "version", "updated_at", "unit__order", "indicator__order"]
    allowed = {"partial_update": access.can_edit_marks, "batch": access.can_edit_marks}

    def _data(self, marks, many=False):
        shown = mark_cells(marks if many else [marks])
        return MarkSerializer(marks, many=many, context={**self.get_serializer_context(), "cells": shown}).data

    def list(self, request, *args, **kwargs):
        marks = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._data(marks, many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._data(self.get_object()))

    @extend_schema(
        request=MarkWriteSerializer,
        responses={200: MarkSerializer, 400: ErrorSerializer, 409: StaleErrorSerializer},
        summary="修改一个单元格",
        description="与浏览器中录入相同的规则（services.set_mark）：只能填该列允许的内容；"
        "version 与当前版本不一致时返回 409，并给出修改人和现在的内容。",
    )
    def partial_update(self, request, *args, **kwargs):
        mark = self.get_object()
        data = MarkWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        set_mark(
            mark,
            data.validated_data["value"],
            request.user,
            expected_version=data.validated_data["version"],
            how=HOW.API,
        )
        return Response(self._data(self.get_queryset().get(pk=mark.pk)))

    @extend_schema(
        request=MarkBatchSerializer,
        responses={200: MarkBatchResultSerializer, 400: ErrorSerializer, 409: StaleErrorSerializer},
        summary="批量修改单元格（全部成功或全部不改）",
        description="一批修改作为一个可撤销的批次（services.bulk_set_marks）：任何一格被拒绝，整批都不保存。",
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def batch(self, request):
        data = MarkBatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = data.validated_data["changes"]
        marks = self.get_queryset().in_bulk([c["id"] for c in changes])
        missing = {f"changes.{i}.id": ["没有找到这个单元格。"] for i, c in enumerate(changes) if c["id"] not in marks}
        if missing:
            # A cell that does not exist (or is outside one's reach) is not found, as GET /marks/{id}/ says.
            detail = "；".join(f"{name}：{messages[0]}" for name, messages in missing.items())
            return Response(error_body("not_found", detail, missing), status=404)
        repeated = repeated_cells(changes)
        if repeated:
            # Well formed, so not the schema's 400: the batch names a cell twice, which the API does not take
            # (the service would apply both steps in turn); one change a cell, as the entry grid sends.
            message = f"同一单元格在一批中只能出现一次（重复的 id：{'、'.join(repeated)}）。"
            return Response(error_body("refused", f"changes：{message}", {"changes": [message]}), status=409)
        batch = bulk_set_marks(
            [(marks[c["id"]], c["value"], c["version"]) for c in changes],
            request.user,
            how=HOW.API,
            description=data.validated_data["description"],
        )
        saved = self.get_queryset().filter(pk__in=marks)
        result = {
            "batch": batch.pk if batch else None,
            "changed": batch.entries.count() if batch else 0,
            "marks": self._data(list(saved), many=True),
        }
        return Response(result)


# --- scores (assessment.scoring): the same figures as /assessment/<year>/scores/


class UnitScoreSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    unit_name = serializers.CharField()
    full_points = serializers.CharField()
    deduction = serializers.CharField()
    score = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    tied = serializers.BooleanField()
    deduction_text = serializers.CharField(
        allow_blank=True, help_text="扣分情况：年终考核定稿后写明每一项扣分及分值（合计等于满分减得分），此前为空"
    )
    lines = serializers.ListField(child=serializers.DictField(), help_text="每一条计分：规则、说明、扣分")


class CategoryScoreSerializer(serializers.Serializer):
    category = serializers.CharField()
    category_slug = serializers.CharField()
    full_points = serializers.CharField()
    max_loss = serializers.CharField()
    units = UnitScoreSerializer(many=True)


class YearScoresSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    frozen = serializers.BooleanField(
        help_text="true：年终考核定稿（version 为版本号）；false：若今日年终考核的实时得分"
    )
    version = serializers.IntegerField(allow_null=True)
    categories = CategoryScoreSerializer(many=True)


class ScoreViewSet(viewsets.ViewSet):
    """考核得分：每类单位的排名、满分、扣分和得分，以及每家单位的每一条计分。市信用办和领导可读。

    年终考核定稿后给出最新一版；否则给出“若今日年终考核”的实时得分。
    """

    lookup_field = "year"
    lookup_value_regex = "[0-9]{4}"

    visible = staticmethod(access.can_read_all)  # the scores are about every unit: 404 for a reporter

    @extend_schema(responses=serializers.ListSerializer(child=serializers.IntegerField()))
    def list(self, request):
        """有考核方案的年度。"""
        return Response(scheme_years())

    @extend_schema(responses=YearScoresSerializer)
    def retrieve(self, request, year=None):
        from assessment.scoring.live import frozen_scores, latest_assessment, year_scores

        year = int(year)
        assessment = latest_assessment(year)
        categories = frozen_scores(assessment) if assessment else year_scores(year)
        if not categories:
            raise NotFound(f"{year}年没有考核方案。")
        data = {
            "year": year,
            "frozen": assessment is not None,
            "version": assessment.version if assessment else None,
            "categories": [c.to_dict() for c in categories],
        }
        return Response(YearScoresSerializer(data).data)
