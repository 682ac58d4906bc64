from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import access
from assessment.errors import DomainError
from assessment.years import current_year, scheme_years

from . import documents, pages, services
from . import snapshot as snapshots
from .forms import ArticleForm, CasePickForm, IssueForm, NewIssueForm, NewsForm, TablePickForm
from .models import Issue, IssueVersion
from .overview import year_overview

# An issue version's frozen content: loaded only where it is shown (a stored page or file does not need it).
HEAVY_FIELDS = ("snapshot", "changes", "search_text")


def visible_issues(user):
    """Published issues for everyone; unpublished ones for office staff only (`access.can_view_issue`)."""
    issues = Issue.objects.select_related("current_version").defer(
        *(f"current_version__{name}" for name in HEAVY_FIELDS)
    )
    return issues if access.can_manage(user) else issues.filter(is_published=True)


def get_issue_for_user(request, year, number):
    return access.get_visible_or_404(
        request.user, visible_issues(request.user), access.can_view_issue, year=year, number=number
    )


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
leaders_view = access.require(visible=access.can_read_all)


# --- reading


def _versions(issue, version):
    """All versions of the issue (without their content) when there is more than one."""
    if version is None or (version.number == 1 and issue.current_version_id == version.pk):
        return []
    return list(issue.versions.only("pk", "issue_id", "number", "published_at", "reason").order_by("number"))


def _render_issue(request, issue, version=None, *, preview=None, keep_tables=True):
    context = {"issue": issue, "is_preview": preview is not None, "keep_tables": keep_tables, "versions": []}
    if preview is not None:
        data, changes = preview
        context.update(bulletin=snapshots.present(data, changes), version=None)
    elif (version or issue.current_version) is not None:
        version = version or issue.current_version
        page = snapshots.published_page(version)
        context.update(
            bulletin_html=page["html"],
            page_title=page["title"],
            version=version,
            versions=_versions(issue, version),
            is_old_version=version.pk != issue.current_version_id,
        )
        if access.can_manage(request.user):
            version.issue = issue
            context["documents_missing"] = documents.missing(version)
    else:
        data, changes = services.preview(issue)
        context.update(bulletin=snapshots.present(data, changes), version=None)
    return render(request, "bulletins/issue_detail.html", context)


def _reader_page(request, published, render_page, missing="没有这一期。"):
    """A reader who is not signed in gets the version's stored page (`bulletins.pages`), made once.

    published: the published issues the URL may name, already filtered to the one it names.
    """
    if not pages.can_store(request):
        return render_page()
    version = published.values_list("current_version_id", "current_version__published_at").first()
    if version is None:
        raise Http404(missing)
    return pages.stored(request, version) or pages.store(request, version, render_page())


@require_GET
def latest(request):
    # The latest published issue for everyone: staff find their drafts under 编辑期刊.
    published = Issue.objects.filter(is_published=True).order_by("-year", "-number")

    def render_page():
        issue = visible_issues(request.user).filter(is_published=True).order_by("-year", "-number").first()
        if issue is None:
            raise Http404("还没有发布任何一期。")
        return _render_issue(request, issue)

    return _reader_page(request, published, render_page, "还没有发布任何一期。")


@require_GET
def issue_detail(request, year, number):
    published = Issue.objects.filter(is_published=True, year=year, number=number)
    return _reader_page(request, published, lambda: _render_issue(request, get_issue_for_user(request, year, number)))


@require_GET
def issue_version(request, year, number, version):
    issue = get_issue_for_user(request, year, number)
    version = get_object_or_404(IssueVersion.objects.defer(*HEAVY_FIELDS), issue=issue, number=version)
    return _render_issue(request, issue, version)


def _download(request, year, number, kind, version_number=None):
    """A published version's stored file, or a draft's made now (staff only see drafts)."""
    issue = get_issue_for_user(request, year, number)
    if version_number is not None:
        version = get_object_or_404(issue.versions.defer(*HEAVY_FIELDS), number=version_number)
    else:
        version = issue.current_version
    if version is None:
        data, _ = services.preview(issue)
        # A draft's file is the office's, not public: its download is recorded in the audit log.
        return documents.response(issue, None, kind, draft_data=data, audit=request)
    return documents.response(issue, version, kind)


@require_GET
def progress_xlsx(request, year, number, version=None):
    return _download(request, year, number, "xlsx", version)


@require_GET
def issue_pdf(request, year, number, version=None):
    return _download(request, year, number, "pdf", version)


@require_GET
def issue_docx(request, year, number, version=None):
    return _download(request, year, number, "docx", version)


@require_GET
def archive(request):
    query = request.GET.get("q", "").strip()[:100]
    issues = Issue.objects.filter(current_version__isnull=False).select_related("current_version")
    issues = issues.defer("current_version__snapshot", "current_version__changes").order_by("-year", "-number")
    if query:
        issues = issues.filter(current_version__search_text__icontains=query)
    else:
        issues = issues.defer("current_version__search_text")
    issues = list(issues)
    for issue in issues:
        issue.snippet = _snippet(issue.current_version.search_text, query) if query else ""
    drafts = []
    if access.can_manage(request.user):
        drafts = list(Issue.objects.filter(current_version__isnull=True).order_by("-year", "-number"))
    return render(request, "bulletins/archive.html", {"issues": issues, "query": query, "drafts": drafts})


def _snippet(text, query, width=40):
    at = text.lower().find(query.lower())
    if at < 0:
        return ""
    start, end = max(0, at - width), min(len(text), at + len(query) + width)
    return (
        ("…" if start else "") + text[start:at],
        text[at : at + len(query)],
        text[at + len(query) : end] + ("…" if end < len(text) else ""),
    )


# --- composing


@require_http_methods(["GET", "POST"])
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
    return render(request, "bulletins/issue_new.html", {"form": form, "drafts": drafts, "previous": previous})


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


@require_http_methods(["GET", "POST"])
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


@require_http_methods(["GET", "POST"])
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


@require_http_methods(["GET", "POST"])
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


@require_GET
@staff_issue_view
def issue_preview(request, issue):
    keep = _keep_tables(request.GET.get("tables"))
    return _render_issue(request, issue, preview=services.preview(issue, keep_tables=keep), keep_tables=keep)


@require_http_methods(["GET", "POST"])
@staff_issue_view
def issue_publish(request, issue):
    is_correction = issue.current_version_id is not None
    if request.method == "POST":
        keep = request.POST.get("keep_tables") != "0"
        try:
            version = services.publish_issue(
                issue,
                request.user,
                reason=request.POST.get("reason", ""),
                keep_tables=keep,
                expected=request.POST.get("fingerprint", ""),
            )
        except DomainError as exc:
            messages.error(request, str(exc))
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
    data, changes = services.preview(issue, keep_tables=keep)
    bulletin = snapshots.present(data, changes)
    return render(
        request,
        "bulletins/publish.html",
        {
            "issue": issue,
            "bulletin": bulletin,
            # Always the content as it is now: a POST refused as stale shows the new state to confirm.
            "fingerprint": snapshots.fingerprint(data),
            "reason": request.POST.get("reason", ""),
            "is_correction": is_correction,
            "keep_tables": keep,
            "changed_cells": bulletin.changed_cells,
        },
    )


# --- leaders' overview


@require_GET
@leaders_view
def overview_index(request):
    year = current_year()
    if year is None:
        raise Http404("还没有考核方案。")
    return redirect("overview:year", year)


@require_GET
@leaders_view
def overview_year(request, year):
    data = year_overview(year)
    if data is None:
        raise Http404(f"没有{year}年度的考核方案。")
    years = scheme_years()
    return render(request, "bulletins/overview.html", {"year": year, "years": years, **data})
