"""The directory over the API: categories, units and schemes (indicators, notes, 合并计分 rules, units in order).

A reporter sees its own unit and the schemes its unit is in (core.api.base `RoleScopedMixin`).
"""

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from assessment.models import Category, Indicator, Note, RuleGroup, Scheme, SchemeUnit, Unit
from assessment.scheme_fields import (
    INDICATOR,
    NOTE,
    RULE_GROUP,
    SCHEME,
    SCHEME_UNIT,
    accessor,
    extension_values,
    indicator_extensions,
)
from core.api.base import (
    IntegerFilter,
    PortalFilterSet,
    RoleScopedMixin,
)

# --- serializers


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
