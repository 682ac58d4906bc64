"""Marks over the API: the cells of the progress tables, read as every page shows them (assessment.cells), and
written one by one (`services.set_mark`) or in batches, all or nothing (`services.bulk_set_marks`).

The serializers check the shape of a request only; the services decide (a refusal is a 409 in their words).
"""

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from assessment import access, cells
from assessment.due import DueStatus
from assessment.marks.services import HOW, bulk_set_marks, set_mark
from assessment.models import Indicator, Mark
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

MAX_BATCH = 2000

# --- serializers (reading)


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


# --- the viewset


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
