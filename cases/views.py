"""Case pages: thin views that fetch, check access (assessment.access), call cases.services, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import access
from assessment.excel import Sheet, workbook_response
from assessment.models import Scheme
from assessment.services import DomainError
from assessment.uploads import protected_file_response

from . import services
from .forms import CaseFilterForm, CaseForm, CountRecordForm, ReturnForm, ReviewForm, WithdrawForm
from .models import PENDING_STATUSES, Case, CaseAttachment, CaseCountRecord, CaseStatus
from .quarterly import build_quarterly

PAGE_SIZE = 20


# --- who sees which cases


def visible_cases(user):
    """All cases for staff and leaders, the own unit's for a reporter, none otherwise."""
    cases = Case.objects.select_related("source_unit__category", "submitted_by")
    role = access.role_of(user)
    if role in (access.STAFF, access.LEADER):
        return cases
    if role == access.REPORTER:
        return cases.filter(source_unit_id=access.reporter_unit_id(user))
    return cases.none()


def get_case_for_user(request, pk, *, write=False):
    """The case if the user may see it: 404 outside one's reach, 403 for read-only leaders."""
    case = get_object_or_404(visible_cases(request.user), pk=pk)
    if write and access.role_of(request.user) == access.LEADER:
        raise PermissionDenied("领导账号只能查看，不能修改。")
    return case


def _require_staff(request):
    if not access.is_staff(request.user):
        raise PermissionDenied("只有市信用办可以进行此操作。")


def _require_read_all(request):
    if not access.can_read_all(request.user):
        raise PermissionDenied("只有市信用办和领导可以查看此页面。")


def _require_writer(request):
    if access.role_of(request.user) not in (access.STAFF, access.REPORTER):
        raise PermissionDenied("领导账号只能查看，不能填写案例。")


# --- lists


def _case_list(request, template, *, default_status="", extra=None):
    data = request.GET.copy()
    if default_status and "status" not in data:
        data["status"] = default_status
    filters = CaseFilterForm(data, unit_choice=access.can_read_all(request.user))
    cases = filters.filter(visible_cases(request.user)).order_by("-submitted_at", "-pk")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "query": query.urlencode(), **(extra or {})}
    return render(request, template, context)


@login_required
@require_GET
def case_list(request):
    return _case_list(request, "cases/case_list.html", extra={"title": "奖惩案例"})


@login_required
@require_http_methods(["GET", "POST"])
def review(request):
    """The office's review queue: pending cases first, acted on one or several at once."""
    _require_staff(request)
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
        extra={"title": "案例审核", "review_form": ReviewForm()},
    )


# --- one case


def _form_files(request):
    return request.FILES.getlist("attachments")


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    _require_writer(request)
    staff = access.is_staff(request.user)
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


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, pk):
    case = get_case_for_user(request, pk, write=True)
    staff = access.is_staff(request.user)
    if not staff and case.status == CaseStatus.ACCEPTED:
        raise PermissionDenied("该案例已采用，不能再修改。")
    if not staff and case.status in PENDING_STATUSES:
        raise PermissionDenied("案例正在等待审核，请先撤回再修改。")
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


@login_required
@require_GET
def case_detail(request, pk):
    case = get_case_for_user(request, pk)
    role = access.role_of(request.user)
    own = role == access.REPORTER
    context = {
        "case": case,
        "attachments": list(case.attachments.all()),
        "transitions": list(case.transitions.select_related("by")),
        "can_edit": role == access.STAFF or (own and case.is_editable_by_unit),
        "can_submit": role in (access.STAFF, access.REPORTER) and case.can_submit,
        "can_withdraw": role in (access.STAFF, access.REPORTER) and case.can_withdraw,
        "can_review": role == access.STAFF and case.is_pending,
        "can_mark_bulletin": role == access.STAFF and case.status == CaseStatus.ACCEPTED,
        "return_form": ReturnForm(),
        "withdraw_form": WithdrawForm(),
    }
    return render(request, "cases/case_detail.html", context)


def _transition(request, pk, action, *, success):
    case = get_case_for_user(request, pk, write=True)
    try:
        action(case)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect("cases:detail", case.pk)


@login_required
@require_POST
def case_submit(request, pk):
    return _transition(
        request, pk, lambda c: services.submit_case(c, request.user), success="案例已报送，请等待市信用办审核。"
    )


@login_required
@require_POST
def case_withdraw(request, pk):
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _transition(
        request,
        pk,
        lambda c: services.withdraw_case(c, request.user, reason),
        success="案例已撤回，可以修改后重新报送。",
    )


@login_required
@require_POST
def case_accept(request, pk):
    get_case_for_user(request, pk, write=True)
    _require_staff(request)
    return _transition(request, pk, lambda c: services.accept_case(c, request.user), success="案例已采用。")


@login_required
@require_POST
def case_return(request, pk):
    get_case_for_user(request, pk, write=True)
    _require_staff(request)
    reason = request.POST.get("reason", "")
    return _transition(
        request, pk, lambda c: services.return_case(c, request.user, reason), success="案例已退回，已通知报送单位。"
    )


@login_required
@require_POST
def case_bulletin(request, pk):
    get_case_for_user(request, pk, write=True)
    _require_staff(request)
    value = request.POST.get("for_bulletin") == "1"
    return _transition(
        request,
        pk,
        lambda c: services.set_for_bulletin(c, request.user, value),
        success="已标记为供通报选用。" if value else "已取消供通报选用。",
    )


@login_required
@require_GET
def attachment(request, pk):
    item = get_object_or_404(CaseAttachment.objects.select_related("case"), pk=pk)
    get_case_for_user(request, item.case_id)
    try:
        return protected_file_response(item.file, item.name)
    except FileNotFoundError:
        raise Http404("附件文件不存在。") from None


# --- the year's quarterly table and the offline counts


def _scheme_year_or_404(year):
    if not Scheme.objects.filter(year=year).exists():
        raise Http404(f"{year}年没有考核方案。")


@login_required
@require_GET
def quarterly(request, year):
    _require_read_all(request)
    _scheme_year_or_404(year)
    today = timezone.localdate()
    sections = build_quarterly(year, today)
    return render(request, "cases/quarterly.html", {"year": year, "sections": sections, "today": today})


@login_required
@require_GET
def quarterly_xlsx(request, year):
    _require_read_all(request)
    _scheme_year_or_404(year)
    sections = build_quarterly(year, timezone.localdate())
    sheets = [
        Sheet(
            name=section.category.name,
            title=f"{year}年{section.indicator.title}季度报送情况（{section.category.name}）",
            header=section.header,
            rows=(row.excel_values() for row in section.rows),
            notes=[
                *[f"{n.number}. {n.text}" for n in section.notes],
                f"每季度应报 {section.per_quarter} 条；未分季度的线下报送记录依次补足前面不足的季度。",
            ],
        )
        for section in sections
    ]
    return workbook_response(sheets, f"奖惩案例季度报送情况-{year}年.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def count_records(request):
    """Offline counts: what units reported before or outside the portal, each with its source."""
    role = access.role_of(request.user)
    if role == access.ANONYMOUS:
        raise PermissionDenied("没有查看此页面的权限。")
    records = CaseCountRecord.objects.select_related("unit", "created_by")
    if role == access.REPORTER:
        records = records.filter(unit_id=access.reporter_unit_id(request.user))
    form = None
    if role == access.STAFF:
        form = CountRecordForm(request.POST or None)
    elif request.method == "POST":
        raise PermissionDenied("只有市信用办可以录入线下报送记录。")
    if request.method == "POST" and form.is_valid():
        try:
            record = services.add_count_record(request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已录入：{record}")
            return redirect("cases:counts")
    year = request.GET.get("year", "")
    if year.isdigit():
        records = records.filter(year=int(year))
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(request, "cases/count_records.html", {"page": page, "form": form, "year": year})


@login_required
@require_http_methods(["GET", "POST"])
def count_record_delete(request, pk):
    _require_staff(request)
    record = get_object_or_404(CaseCountRecord.objects.select_related("unit"), pk=pk)
    if request.method == "POST":
        try:
            services.delete_count_record(record, request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已删除：{record}")
        return redirect("cases:counts")
    return render(request, "cases/count_record_confirm_delete.html", {"record": record})
