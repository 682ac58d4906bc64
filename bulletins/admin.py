from django.contrib import admin

from .models import Article, Issue, IssueCase, IssueTable, NewsItem


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


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["__str__", "date", "is_published", "published_at"]
    list_filter = ["year", "is_published"]
    search_fields = ["articles__title", "news_items__text"]
    inlines = [ArticleInline, IssueCaseInline, NewsItemInline, IssueTableInline]
