"""The reading pages of the bulletin: an issue as printed (its stored page for readers not signed in), its
versions and downloads, the archive; and which issues a user may see, which the composer asks too.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from assessment import access

from .. import documents, pages, published, services
from .. import snapshot as snapshots
from ..models import Issue, IssueVersion

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


def _versions(issue, version):
    """All versions of the issue (without their content) when there is more than one."""
    if version is None or (version.number == 1 and issue.current_version_id == version.pk):
        return []
    return list(issue.versions.only("pk", "issue_id", "number", "published_at", "reason").order_by("number"))


def render_issue(request, issue, version=None, *, preview=None, keep_tables=True):
    context = {"issue": issue, "is_preview": preview is not None, "keep_tables": keep_tables, "versions": []}
    if preview is not None:
        data, changes = preview
        context.update(bulletin=snapshots.present(data, changes), version=None)
    elif (version or issue.current_version) is not None:
        version = version or issue.current_version
        page = published.published_page(version)
        context.update(
            bulletin_html=page["html"],
            page_title=page["title"],
            version=version,
            versions=_versions(issue, version),
            is_old_version=version.pk != issue.current_version_id,
        )
        if access.can_manage(request.user) and not context["is_old_version"]:
            version.issue = issue
            context["documents_progress"] = documents.progress(version)
    else:
        data, changes = services.preview(issue)
        context.update(bulletin=snapshots.present(data, changes), version=None)
    return render(request, "bulletins/issue_detail.html", context)


def _reader_page(request, name, published, render_page, missing="没有这一期。"):
    """A reader who is not signed in gets the version's stored page (`bulletins.pages`), made once.

    name: what the URL names ("latest", or the year and number); published: the published issues it may name,
    filtered (and ordered) to the one it names.
    """
    if not pages.can_store(request):
        return render_page()
    version = pages.current_version(name, published)
    if version is None:
        raise Http404(missing)
    return pages.stored(request, version) or pages.store(request, version, render_page())


@require_safe
def latest(request):
    # The latest published issue for everyone: staff find their drafts under 编辑期刊.
    published = Issue.objects.filter(is_published=True).order_by("-year", "-number")

    def render_page():
        issue = visible_issues(request.user).filter(is_published=True).order_by("-year", "-number").first()
        if issue is None:
            raise Http404("还没有发布任何一期。")
        return render_issue(request, issue)

    return _reader_page(request, "latest", published, render_page, "还没有发布任何一期。")


@require_safe
def issue_detail(request, year, number):
    published = Issue.objects.filter(is_published=True, year=year, number=number)
    return _reader_page(
        request, (year, number), published, lambda: render_issue(request, get_issue_for_user(request, year, number))
    )


@require_safe
def issue_table(request, year, number, version, slug, page):
    """A page of a long table of a published version (bulletins.published): its table is made once and kept; the
    page around it says whether the version is still the current one."""
    issue = get_issue_for_user(request, year, number)
    version = get_object_or_404(IssueVersion.objects.defer(*HEAVY_FIELDS), issue=issue, number=version)
    part = published.table_page(version, slug, page)
    if part is None:
        raise Http404("本期没有这一页表格。")
    current = version.pk == issue.current_version_id
    context = {
        "page": part,
        "slug": slug,
        "version": version,
        "is_old_version": not current,
        "issue_url": issue.get_absolute_url()
        if current
        else reverse("bulletins:issue_version", args=[year, number, version.number]),
    }
    return render(request, "bulletins/issue_table.html", context)


@require_safe
def issue_version(request, year, number, version):
    issue = get_issue_for_user(request, year, number)
    version = get_object_or_404(IssueVersion.objects.defer(*HEAVY_FIELDS), issue=issue, number=version)
    return render_issue(request, issue, version)


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
    if not documents.available(version, kind):
        # Made by render_documents after publication, never in a reader's request: say so, and since when.
        context = {"issue": issue, "label": documents.LABELS[kind], "text": documents.waiting_text(version, kind)}
        response = render(request, "bulletins/being_made.html", context, status=202)
        response["Retry-After"] = "60"
        return response
    return documents.response(issue, version, kind)


@require_safe
def progress_xlsx(request, year, number, version=None):
    return _download(request, year, number, "xlsx", version)


@require_safe
def issue_pdf(request, year, number, version=None):
    return _download(request, year, number, "pdf", version)


@require_safe
def issue_docx(request, year, number, version=None):
    return _download(request, year, number, "docx", version)


@require_safe
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
