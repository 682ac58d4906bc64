"""Issues of 《工作信息》 over the API: published issues for everyone, unpublished ones for office staff.

The progress tables of an issue come from `issue_tables_data`: the frozen snapshot of a published issue,
so the API serves exactly what was published.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.api import PrintedCaseSerializer
from core.api.base import ErrorSerializer, PortalFilterSet
from core.api.fields import TextField
from core.office.models import MASTHEAD_FOOT, MASTHEAD_HEAD

from . import services
from .models import Article, Issue, IssueCase, NewsItem
from .snapshot import live_tables
from .views.reading import visible_issues

# --- progress tables as printed: header, one row per unit, notes


class TableIndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    points_label = serializers.CharField()


class TableUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="unit_id")
    name = serializers.CharField(source="unit")


class TableRowSerializer(serializers.Serializer):
    unit = TableUnitSerializer(source="*")
    values = serializers.ListField(
        child=serializers.CharField(allow_blank=True), help_text="每列一格，与 indicators 对应"
    )
    deduction_text = serializers.CharField(allow_blank=True, help_text="扣分情况")


class TableNoteSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    text = serializers.CharField()


class TableCategorySerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()


class TableSerializer(serializers.Serializer):
    scheme = serializers.IntegerField(source="scheme_id", help_text="考核方案 id")
    year = serializers.IntegerField()
    category = TableCategorySerializer()
    header = serializers.ListField(child=serializers.CharField(), help_text="按通报印出的表头")
    indicators = TableIndicatorSerializer(many=True)
    rows = TableRowSerializer(many=True)
    notes = TableNoteSerializer(many=True)


def issue_tables_data(issue):
    """The issue's progress tables as printed: a published issue's frozen snapshot, a draft's live tables."""
    version = issue.current_version
    tables = version.snapshot["tables"] if version is not None else live_tables(issue)
    return TableSerializer(tables, many=True).data


# --- issues


class ArticleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = ["order", "title", "body"]


class NewsItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = NewsItem
        fields = ["order", "date", "text", "source"]


class IssueSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="__str__", read_only=True, help_text="如 2019年第11期")
    page = serializers.CharField(source="get_absolute_url", read_only=True, help_text="门户中的页面")

    class Meta:
        model = Issue
        fields = ["id", "year", "number", "title", "date", "is_published", "published_at", "page"]


class IssueDetailSerializer(IssueSerializer):
    articles = ArticleSerializer(many=True, read_only=True)
    cases = serializers.SerializerMethodField()
    news = NewsItemSerializer(source="news_items", many=True, read_only=True)
    year_label = serializers.CharField(read_only=True, help_text="刊头年份，如 〔2019〕")
    tables = serializers.SerializerMethodField()

    class Meta(IssueSerializer.Meta):
        fields = [
            *IssueSerializer.Meta.fields,
            *MASTHEAD_HEAD,
            "year_label",
            "articles",
            "cases",
            "news",
            "tables",
            *MASTHEAD_FOOT,
        ]

    @extend_schema_field(PrintedCaseSerializer(many=True))
    def get_cases(self, issue):
        return PrintedCaseSerializer([ic.case for ic in issue.issue_cases.all()], many=True).data

    @extend_schema_field(TableSerializer(many=True))
    def get_tables(self, issue):
        return issue_tables_data(issue)


class PublishSerializer(serializers.Serializer):
    reason = TextField(
        required=False, allow_blank=True, default="", help_text="更正原因（已发布的期发布更正时必填，显示在页面上）"
    )
    keep_tables = serializers.BooleanField(
        default=True, help_text="发布更正时：true 保持已发布的表格；false 按当前完成情况更新"
    )
    seen = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="调用方看到的当前版本号（0：尚未发布）；之后若已由他人发布，返回 409 并说明由谁何时发布",
    )


class IssueFilter(PortalFilterSet):
    class Meta:
        model = Issue
        fields = ["year", "number", "is_published"]


class IssueViewSet(viewsets.ReadOnlyModelViewSet):
    """《工作信息》各期。所有人可读已发布的期；未发布的只有市信用办可见。"""

    public = True
    lookup_value_regex = "[^/]+"
    filterset_class = IssueFilter
    ordering_fields = ["year", "number", "date", "id"]

    def get_queryset(self):
        issues = visible_issues(self.request.user).select_related("current_version").order_by("-year", "-number")
        if self.action == "retrieve":
            issues = issues.prefetch_related(
                Prefetch("articles", queryset=Article.objects.order_by("order", "pk")),
                Prefetch("news_items", queryset=NewsItem.objects.order_by("order", "pk")),
                Prefetch(
                    "issue_cases",
                    queryset=IssueCase.objects.select_related("case__source_unit").order_by("order", "pk"),
                ),
            )
        return issues

    def get_serializer_class(self):
        return IssueDetailSerializer if self.action == "retrieve" else IssueSerializer

    @extend_schema(
        request=PublishSerializer,
        responses={200: IssueSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
        summary="发布本期或发布更正（市信用办）",
        description="bulletins.services.publish_issue：与门户的发布页相同。两人同时发布同一期时，"
        "后到的一方得到 409“该期已由…发布”，不会生成第二个版本。",
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def publish(self, request, pk=None):
        issue = self.get_object()
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        services.publish_issue(
            issue, request.user, reason=fields["reason"], keep_tables=fields["keep_tables"], seen=fields.get("seen")
        )
        return Response(IssueSerializer(Issue.objects.get(pk=issue.pk)).data)

    @extend_schema(responses=TableSerializer(many=True), summary="一期的工作进展通报（三张表）")
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def tables(self, request, pk=None):
        return Response(issue_tables_data(self.get_object()))
