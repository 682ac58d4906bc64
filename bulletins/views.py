from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from assessment import access
from assessment.excel import progress_sheets, workbook_response
from assessment.tables import build_tables, schemes_with_parts

from .models import Issue, IssueCase


def visible_issues(user):
    """Published issues for everyone; unpublished ones for office staff only."""
    issues = Issue.objects.all()
    return issues if access.is_staff(user) else issues.filter(is_published=True)


def get_issue_for_user(request, year, number):
    return get_object_or_404(visible_issues(request.user), year=year, number=number)


def _issue_tables(issue):
    schemes = schemes_with_parts().filter(issue_tables__issue=issue).order_by("issue_tables__order")
    return build_tables(schemes)


def _render_issue(request, issue):
    issue = (
        Issue.objects.filter(pk=issue.pk)
        .prefetch_related(
            "articles",
            "news_items",
            Prefetch("issue_cases", queryset=IssueCase.objects.select_related("case")),
        )
        .get()
    )
    return render(
        request,
        "bulletins/issue_detail.html",
        {"issue": issue, "tables": _issue_tables(issue)},
    )


@require_GET
def latest(request):
    issue = visible_issues(request.user).order_by("-year", "-number").first()
    if issue is None:
        raise Http404("还没有发布任何一期。")
    return _render_issue(request, issue)


@require_GET
def issue_detail(request, year, number):
    return _render_issue(request, get_issue_for_user(request, year, number))


@require_GET
def progress_xlsx(request, year, number):
    issue = get_issue_for_user(request, year, number)
    sheets = progress_sheets(_issue_tables(issue), title_prefix=f"{issue.year}年第{issue.number}期 ")
    return workbook_response(sheets, f"工作进展通报-{issue.year}年第{issue.number}期.xlsx")
