"""Reward and penalty cases (奖惩案例) over the API: reading for now.

Reporters read their own unit's cases, office staff and leaders all of them; anonymous visitors read
cases only as printed in a published issue (bulletins.api). Submitting, accepting and returning cases
will go through `cases.services` (submit/accept/return) once the case workflow is merged.
"""

import django_filters
from rest_framework import serializers, viewsets

from kunshan_credit.api import IdFilter, RoleScopedMixin

from .models import Case


class CaseSerializer(serializers.ModelSerializer):
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


class CaseFilter(django_filters.FilterSet):
    source_unit = IdFilter(field_name="source_unit_id", help_text="报送单位 id")

    class Meta:
        model = Case
        fields = ["year", "quarter", "kind", "source_unit"]


class CaseViewSet(RoleScopedMixin, viewsets.ReadOnlyModelViewSet):
    """奖惩案例。填报员只看到本单位报送的案例。"""

    queryset = Case.objects.select_related("source_unit").order_by("-year", "-quarter", "-pk")
    serializer_class = CaseSerializer
    unit_field = "source_unit"
    filterset_class = CaseFilter
    ordering_fields = ["year", "quarter", "created_at", "id"]
