from django.contrib import admin

from .models import Article, Issue, IssueCase, IssueTable, IssueVersion, NewsItem


class ArticleInline(admin.StackedInline):
    model = Article
    extra = 0


class IssueCaseInline(admin.TabularInline):
    model = IssueCase
    extra = 0
    autocomplete_fields = ["case"]


class NewsItemInline(admin.TabularInline):
    model = NewsItem
    extra = 0


class IssueTableInline(admin.TabularInline):
    model = IssueTable
    extra = 0


class IssueVersionInline(admin.TabularInline):
    """Published versions are frozen: shown here, made only by publishing (bulletins.services)."""

    model = IssueVersion
    fk_name = "issue"
    extra = 0
    fields = ["number", "published_at", "published_by", "reason"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["__str__", "date", "is_published", "published_at"]
    list_filter = ["year", "is_published"]
    search_fields = ["articles__title", "news_items__text"]
    # Publishing freezes a snapshot; it happens in the composer, never by ticking a box here.
    readonly_fields = ["is_published", "published_at", "current_version"]
    inlines = [ArticleInline, IssueCaseInline, NewsItemInline, IssueTableInline, IssueVersionInline]
