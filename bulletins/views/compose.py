"""The composer's pages: 市信用办 makes an issue, adds and orders its sections, previews and publishes it.

An issue is found as its reader would find it (`reading.get_issue_for_user`: 404 outside one's reach), then
only the office may change it (403).
"""

from functools import wraps

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessment import access
from core.errors import Conflict, DomainError

from .. import documents, services
from .. import snapshot as snapshots
from ..forms import ArticleForm, CasePickForm, IssueForm, NewIssueForm, NewsForm, TablePickForm
from ..models import Issue
from .reading import get_issue_for_user, render_issue

EDIT_MESSAGE = "只有市信用办可以编辑期刊。"


def staff_issue_view(view):
    """Composer views: login first, then the issue as the user may see it (404), then the office only (403)."""

    @access.require()
    @wraps(view)
    def wrapper(request, year, number, *args, **kwargs):
        issue = get_issue_for_user(request, year, number)
        access.deny_unless(access.can_manage(request.user), request.user, EDIT_MESSAGE)
        return view(request, issue, *args, **kwargs)

    return wrapper


staff_view = access.require(allowed=access.can_manage, message=EDIT_MESSAGE)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view
def issue_new(request):
    year, number, date = services.propose_next()
    form = NewIssueForm(request.POST or None, initial={"year": year, "number": number, "date": date})
    if request.method == "POST" and form.is_valid():
        try:
            issue = services.create_issue(**form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已新建{issue.label}，请添加内容。")
            return redirect("bulletins:edit", issue.year, issue.number)
    drafts = Issue.objects.filter(current_version__isnull=True).order_by("-year", "-number")
    previous = services.latest_issue()
    # A new year not started yet (no schemes): its first issue has no progress tables until it is.
    started = services.year_started(year)
    context = {"form": form, "drafts": drafts, "previous": previous, "year": year, "year_started": started}
    return render(request, "bulletins/issue_new.html", context)


def _edit_page(request, issue, bound=None):
    """The composer page; `bound` = (key, form) puts a submitted form with its errors in its place."""
    issue = (
        Issue.objects.select_related("current_version")
        .prefetch_related("articles", "news_items", "issue_cases__case", "issue_tables__scheme__category")
        .get(pk=issue.pk)
    )
    forms = {
        "masthead": IssueForm(instance=issue, prefix="masthead"),
        "add_article": ArticleForm(prefix="add-article"),
        "add_news": NewsForm(prefix="add-news"),
        "add_case": CasePickForm(issue, prefix="add-case"),
        "add_table": TablePickForm(issue, prefix="add-table"),
    }
    articles = [
        (a, ArticleForm(initial={"title": a.title, "body": a.body}, prefix=f"article-{a.pk}"))
        for a in issue.articles.all()
    ]
    news = [
        (n, NewsForm(initial={"date": n.date, "text": n.text, "source": n.source}, prefix=f"news-{n.pk}"))
        for n in issue.news_items.all()
    ]
    if bound:
        key, form = bound
        if key in forms:
            forms[key] = form
        articles = [(a, form if key == f"article-{a.pk}" else f) for a, f in articles]
        news = [(n, form if key == f"news-{n.pk}" else f) for n, f in news]
    return render(
        request,
        "bulletins/issue_edit.html",
        {
            "issue": issue,
            "forms": forms,
            "articles": articles,
            "news": news,
            "cases": list(issue.issue_cases.all()),
            "tables": list(issue.issue_tables.all()),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_issue_view
def issue_edit(request, issue):
    if request.method == "GET":
        return _edit_page(request, issue)
    form = IssueForm(request.POST, instance=Issue.objects.get(pk=issue.pk), prefix="masthead")
    if form.is_valid():
        try:
            fields = {k: v for k, v in form.cleaned_data.items() if k != "number" or not issue.current_version_id}
            issue = services.update_issue(issue, **fields)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "刊头和报送信息已保存。")
            return redirect("bulletins:edit", issue.year, issue.number)
    return _edit_page(request, issue, ("masthead", form))


def _back(issue, anchor=""):
    return redirect(reverse("bulletins:edit", args=[issue.year, issue.number]) + (f"#{anchor}" if anchor else ""))


ADD_FORMS = {"article": ArticleForm, "news": NewsForm}


@require_POST
@staff_issue_view
def section_add(request, issue, kind):
    prefix = f"add-{kind}"
    if kind in ADD_FORMS:
        form = ADD_FORMS[kind](request.POST, prefix=prefix)
    elif kind == "case":
        form = CasePickForm(issue, request.POST, prefix=prefix)
    elif kind == "table":
        form = TablePickForm(issue, request.POST, prefix=prefix)
    else:
        raise Http404("未知的栏目。")
    if form.is_valid():
        add = {
            "article": services.add_article,
            "news": services.add_news,
            "case": lambda i, case: services.add_case(i, case),
            "table": lambda i, scheme: services.add_table(i, scheme),
        }[kind]
        try:
            add(issue, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已加入【{services.SECTION_NAMES[kind]}】。")
            return _back(issue, f"section-{kind}")
    return _edit_page(request, issue, (f"add_{kind}", form))


@require_POST
@staff_issue_view
def section_update(request, issue, kind, pk):
    if kind not in ADD_FORMS:
        raise Http404("该栏目没有可修改的文字。")
    try:
        section = services.get_section(issue, kind, pk)
    except DomainError as exc:
        raise Http404(str(exc)) from exc
    form = ADD_FORMS[kind](request.POST, prefix=f"{kind}-{pk}")
    if form.is_valid():
        update = services.update_article if kind == "article" else services.update_news
        try:
            update(section, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存。")
            return _back(issue, f"{kind}-{pk}")
    return _edit_page(request, issue, (f"{kind}-{pk}", form))


@require_POST
@staff_issue_view
def section_move(request, issue, kind, pk):
    try:
        services.move_section(issue, kind, pk, -1 if request.POST.get("step") == "up" else 1)
    except DomainError as exc:
        messages.error(request, str(exc))
    return _back(issue, f"section-{kind}")


@require_http_methods(["GET", "HEAD", "POST"])
@staff_issue_view
def section_remove(request, issue, kind, pk):
    try:
        section = services.get_section(issue, kind, pk)
    except DomainError as exc:
        raise Http404(str(exc)) from exc
    if request.method == "POST":
        services.remove_section(issue, kind, pk)
        messages.success(request, f"已从【{services.SECTION_NAMES[kind]}】中删除。")
        return _back(issue, f"section-{kind}")
    return render(
        request,
        "bulletins/confirm_remove.html",
        {"issue": issue, "section": section, "kind": kind, "section_name": services.SECTION_NAMES[kind]},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_issue_view
def issue_delete(request, issue):
    if request.method == "POST":
        try:
            services.delete_draft(issue)
        except DomainError as exc:
            messages.error(request, str(exc))
            return redirect("bulletins:edit", issue.year, issue.number)
        messages.success(request, f"已删除草稿{issue.label}。")
        return redirect("bulletins:new")
    return render(request, "bulletins/confirm_delete.html", {"issue": issue})


def _keep_tables(value):
    """For a correction: keep the published tables unless asked to take the current marks."""
    return value != "current"


@require_safe
@staff_issue_view
def issue_preview(request, issue):
    keep = _keep_tables(request.GET.get("tables"))
    return render_issue(request, issue, preview=services.preview(issue, keep_tables=keep), keep_tables=keep)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_issue_view
def issue_publish(request, issue):
    status = 200
    if request.method == "POST":
        keep = request.POST.get("keep_tables") != "0"
        try:
            version = services.publish_issue(
                issue,
                request.user,
                reason=request.POST.get("reason", ""),
                keep_tables=keep,
                expected=request.POST.get("fingerprint", ""),
                seen=_seen(request.POST.get("seen")),
            )
        except DomainError as exc:
            messages.error(request, str(exc))
            if isinstance(exc, Conflict):  # published by someone else meanwhile: show the issue as it is now
                status = 409
                issue.refresh_from_db()
        else:
            done = (
                f"已发布{issue.label}的更正（第{version.number}版）。"
                if version.is_correction
                else f"已发布{issue.label}。"
            )
            messages.success(request, done)
            return redirect(issue)
    else:
        keep = _keep_tables(request.GET.get("tables"))
    is_correction = issue.current_version_id is not None
    data, changes = services.preview(issue, keep_tables=keep)
    bulletin = snapshots.present(data, changes)
    return render(
        request,
        "bulletins/publish.html",
        {
            "issue": issue,
            # The version this page shows as current: publishing refuses if another was published since.
            "seen": issue.current_version.number if is_correction else 0,
            "bulletin": bulletin,
            # Always the content as it is now: a POST refused as stale shows the new state to confirm.
            "fingerprint": snapshots.fingerprint(data),
            "reason": request.POST.get("reason", ""),
            "is_correction": is_correction,
            "keep_tables": keep,
            "changed_cells": bulletin.changed_cells,
        },
        status=status,
    )


def _seen(value):
    """The version number the publish page showed (its hidden field), or None when it sent none."""
    return int(value) if value and value.isdigit() else None


@require_safe
@never_cache
@staff_issue_view
def issue_documents(request, issue):
    """The progress of the current version's files, asked by the issue page (static/js/documents.js).

    The same answer as the page's progress line (`documents.progress`), so a poll never disagrees with it.
    """
    version = issue.current_version
    if version is None:
        raise Http404("本期还没有发布。")
    version.issue = issue
    return JsonResponse(
        {**documents.progress(version), "queued_at": version.published_at.isoformat()},
        json_dumps_params={"ensure_ascii": False},
    )
