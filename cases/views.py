"""Case pages: thin views that fetch, check access (assessment.access), call cases.services, render."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessment import access, due
from assessment.models import Scheme
from core import paging
from core.errors import DomainError
from core.excel import Sheet, workbook_response
from core.links import IdLink
from core.uploads import protected_file_response

from . import services
from .case_table import case_rows_html
from .count_records import add_count_record, delete_count_record
from .forms import CaseFilterForm, CaseForm, CountRecordForm, ReturnForm, ReviewForm, WithdrawForm
from .models import Case, CaseAttachment, CaseCountRecord, CaseStatus
from .quarterly import SPAN_RULE, build_quarterly
from .quarterly_page import SectionUnits, rows_html

PAGE_SIZE = 20
# What a row of the case lists shows (cases/_case_table.html): read without the body, the unit or the reporter.
LIST_FIELDS = ("kind", "title", "source_label", "year", "quarter", "status", "submitted_at", "for_bulletin")


# --- who sees which cases (the rules are assessment.access's)


def visible_cases(user):
    """All cases for staff and leaders, the own unit's for a reporter, none otherwise."""
    return access.scope(Case.objects.select_related("source_unit__category", "submitted_by"), user, "source_unit")


def get_case_for_user(request, pk):
    """The case if the user may see it, else 404."""
    return access.get_visible_or_404(request.user, visible_cases(request.user), access.can_view_case, pk=pk)


def case_actions(user, case):
    """What the user may do with this case now: the buttons of its page."""
    return {
        "edit": access.can_edit_case(user, case),
        "submit": access.can_submit_case(user, case),
        "withdraw": access.can_withdraw_case(user, case),
        "review": access.can_review_cases(user) and case.is_pending,
        "mark_bulletin": access.can_review_cases(user) and case.status == CaseStatus.ACCEPTED,
    }


review_cases = access.require(visible=access.can_read_all, allowed=access.can_review_cases)


# --- lists


def _case_list(request, template, *, default_status="", selectable=False, extra=None):
    """A list of the cases the user sees, filtered and paged; `selectable`: the review queue's check boxes."""
    data = request.GET.copy()
    if default_status and "status" not in data:
        data["status"] = default_status
    filters = CaseFilterForm(data, unit_choice=access.can_read_all(request.user))
    shown = visible_cases(request.user).select_related(None).only(*LIST_FIELDS)
    cases = filters.filter(shown).order_by("-submitted_at", "-pk")
    page = paging.paginate(request, cases, PAGE_SIZE)
    rows = case_rows_html(page, IdLink("cases:detail"), selectable=selectable)
    context = {"filters": filters, "page": page, "case_rows": rows, "selectable": selectable, **(extra or {})}
    return render(request, template, context)


@require_safe
@access.require()
def case_list(request):
    return _case_list(request, "cases/case_list.html", extra={"title": "奖惩案例"})


@require_http_methods(["GET", "HEAD", "POST"])
@review_cases
def review(request):
    """The office's review queue: pending cases first, acted on one or several at once."""
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            chosen = form.cleaned_data["cases"]
            try:
                done = services.review_cases(
                    chosen, request.user, form.cleaned_data["action"], form.cleaned_data["reason"]
                )
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                verb = services.REVIEW_ACTIONS[form.cleaned_data["action"]]
                messages.success(request, f"已{verb} {len(done)} 个案例。")
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect(request.get_full_path())
    return _case_list(
        request,
        "cases/review.html",
        default_status="pending",
        selectable=True,
        extra={"title": "案例审核", "review_form": ReviewForm()},
    )


# --- one case


def _form_files(request):
    return request.FILES.getlist("attachments")


@require_http_methods(["GET", "HEAD", "POST"])
@access.require(allowed=access.can_write_cases)
def case_create(request):
    staff = access.can_set_case_source(request.user)
    instance = Case(source_unit=None if staff else request.user.reporter.unit)
    form = CaseForm(request.POST or None, request.FILES or None, instance=instance, staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.create_case(
                request.user,
                form.cleaned_data,
                uploads=form.cleaned_data["attachments"],
                form_token=form.cleaned_data.get("form_token"),
                submit=request.POST.get("action") == "submit",
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "案例已报送，请等待市信用办审核。" if case.is_pending else "草稿已保存。")
            return redirect("cases:detail", case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": None})


@require_http_methods(["GET", "HEAD", "POST"])
@access.require()
def case_edit(request, pk):
    case = get_case_for_user(request, pk)
    own = access.can_act_on_case(request.user, case)
    access.deny_unless(access.can_edit_case(request.user, case), request.user, own and case.unit_edit_refusal)
    staff = access.can_set_case_source(request.user)
    form = CaseForm(request.POST or None, request.FILES or None, instance=case, staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.update_case(
                case,
                request.user,
                form.cleaned_data,
                uploads=form.cleaned_data["attachments"],
                remove=form.cleaned_data.get("remove_attachments") or [],
                submit=request.POST.get("action") == "submit",
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "案例已报送，请等待市信用办审核。" if case.is_pending else "修改已保存。")
            return redirect("cases:detail", case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": case})


@require_safe
@access.require()
def case_detail(request, pk):
    case = get_case_for_user(request, pk)
    context = {
        "case": case,
        "attachments": list(case.attachments.all()),
        "transitions": list(case.transitions.select_related("by")),
        "case_actions": case_actions(request.user, case),
        "return_form": ReturnForm(),
        "withdraw_form": WithdrawForm(),
    }
    return render(request, "cases/case_detail.html", context)


def _transition(request, pk, action, *, success, allowed=access.can_act_on_case):
    """One step of a case: 404 outside one's reach, 403 unless `allowed(user, case)`; the service checks the status."""
    case = get_case_for_user(request, pk)
    access.deny_unless(allowed(request.user, case), request.user)
    try:
        action(case)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect("cases:detail", case.pk)


def _reviewer(user, case):
    return access.can_review_cases(user)


@require_POST
@access.require()
def case_submit(request, pk):
    return _transition(
        request, pk, lambda c: services.submit_case(c, request.user), success="案例已报送，请等待市信用办审核。"
    )


@require_POST
@access.require()
def case_withdraw(request, pk):
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _transition(
        request,
        pk,
        lambda c: services.withdraw_case(c, request.user, reason),
        success="案例已撤回，可以修改后重新报送。",
    )


@require_POST
@access.require()
def case_accept(request, pk):
    return _transition(
        request, pk, lambda c: services.accept_case(c, request.user), success="案例已采用。", allowed=_reviewer
    )


@require_POST
@access.require()
def case_return(request, pk):
    reason = request.POST.get("reason", "")
    return _transition(
        request,
        pk,
        lambda c: services.return_case(c, request.user, reason),
        success="案例已退回，已通知报送单位。",
        allowed=_reviewer,
    )


@require_POST
@access.require()
def case_bulletin(request, pk):
    value = request.POST.get("for_bulletin") == "1"
    return _transition(
        request,
        pk,
        lambda c: services.set_for_bulletin(c, request.user, value),
        success="已标记为供通报选用。" if value else "已取消供通报选用。",
        allowed=_reviewer,
    )


@require_safe
@access.require()
def attachment(request, pk):
    item = get_object_or_404(CaseAttachment.objects.select_related("case"), pk=pk)
    get_case_for_user(request, item.case_id)
    try:
        return protected_file_response(item.file, item.name, audit=request, obj=item.case)
    except FileNotFoundError:
        raise Http404("附件文件不存在。") from None


# --- the year's quarterly table and the offline counts


def _scheme_year_or_404(year, sections):
    """404 for a year without schemes; a year with a 奖惩案例 column (`sections`) has some, unasked."""
    if not sections and not Scheme.objects.filter(year=year).exists():
        raise Http404(f"{year}年没有考核方案。")


@require_safe
@access.require(visible=access.can_read_all)
def quarterly(request, year):
    today = due.today()  # the portal's today, as every due status reads it
    sections = build_quarterly(year, today)
    _scheme_year_or_404(year, sections)
    # Filters search every unit; a page holds 100 rows across the categories; the counts above each table
    # (未达要求的单位) stay those of every unit (core.paging).
    slugs = {s.category.slug for s in sections}
    category = request.GET.get("category", "")
    filters = {
        "category": category if category in slugs else "",
        "query": request.GET.get("q", "").strip()[:50],
        "flagged_only": request.GET.get("flagged") == "1",
    }
    query = filters["query"].casefold()

    def rows_of(section):
        # the names as tuples; 未达要求: the units whose kind of counts falls short, matched by the database
        units = section.flagged_units() if filters["flagged_only"] else section.units
        return [unit for unit in units if query in unit.name.casefold()]

    shown = [s for s in sections if filters["category"] in ("", s.category.slug)]
    if query or filters["flagged_only"]:
        page, shown = paging.paginate_sections(request, shown, rows_of)
    else:  # every unit: counted with the sections, the page's read alone
        page = paging.paginate(request, SectionUnits(shown))
        shown = paging.group_sections(page.object_list)
    # rows are made for the page's units only, and written as HTML (cases.quarterly_page)
    shown = [(part.section, rows_html(part.section, part.section.page_entries(part.rows))) for part in shown]
    context = {
        "year": year,
        "sections": sections,
        "shown": shown,
        "page": page,
        "filters": filters,
        "is_filtered": any(filters.values()),
        "today": today,
        "span_rule": SPAN_RULE,
    }
    return render(request, "cases/quarterly.html", context)


@require_safe
@access.require(visible=access.can_read_all)
def quarterly_xlsx(request, year):
    sections = build_quarterly(year, due.today())
    _scheme_year_or_404(year, sections)
    sheets = [
        Sheet(
            name=section.category.name,
            title=f"{year}年{section.indicator.title}季度报送情况（{section.category.name}）",
            header=section.header,
            rows=(row.excel_values() for row in section.rows),
            notes=[
                *[f"{n.number}. {n.text}" for n in section.notes],
                f"每季度应报 {section.per_quarter} 条；{SPAN_RULE}。",
            ],
        )
        for section in sections
    ]
    return workbook_response(sheets, f"奖惩案例季度报送情况-{year}年.xlsx", audit=request)


@require_http_methods(["GET", "HEAD", "POST"])
@access.require(write=access.can_review_cases, message="只有市信用办可以录入线下报送记录。")
def count_records(request):
    """Offline counts: what units reported before or outside the portal, each with its source."""
    records = access.scope(CaseCountRecord.objects.select_related("unit", "created_by"), request.user, "unit")
    form = CountRecordForm(request.POST or None) if access.can_review_cases(request.user) else None
    if request.method == "POST" and form.is_valid():
        try:
            record = add_count_record(request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已录入：{record}")
            return redirect("cases:counts")
    year = request.GET.get("year", "")
    if year.isdigit():
        records = records.filter(year=int(year))
    page = paging.paginate(request, records, 50)
    context = {"page": page, "form": form, "year": year, "delete_link": IdLink("cases:count_delete")}
    return render(request, "cases/count_records.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@access.require()
def count_record_delete(request, pk):
    record = access.get_visible_or_404(
        request.user,
        CaseCountRecord.objects.select_related("unit"),
        lambda user, r: access.can_view_unit(user, r.unit_id),
        pk=pk,
    )
    access.deny_unless(access.can_review_cases(request.user), request.user)
    if request.method == "POST":
        try:
            delete_count_record(record, request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已删除：{record}")
        return redirect("cases:counts")
    return render(request, "cases/count_record_confirm_delete.html", {"record": record})
