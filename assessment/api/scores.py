"""Scores over the API: a year's ranking per category with every unit's score lines (assessment.scoring)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from assessment import access
from assessment.years import scheme_years

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
