"""/audit/: the auditor reads the log with filters and pages, and exports it as CSV or Excel."""

import csv
import io
from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core import access, paging
from core.audit.actions import AuditAction
from core.audit.models import AuditEntry, AuditResult
from core.cells_safe import inert_row
from core.downloads import download_response
from core.excel import Sheet, workbook_response

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000  # far more than a year of the office's events; keeps one export bounded
HEADER = ["时间", "账号", "IP 地址", "操作", "对象类型", "对象编号", "对象", "结果", "详情"]

auditor_only = access.require(visible=access.can_audit)


class AuditFilter(forms.Form):
    date_from = forms.DateField(label="从", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="到", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.CharField(label="账号", required=False, max_length=150)
    # Every action registered by the time the form is shown (the apps register theirs when loaded).
    action = forms.ChoiceField(label="操作", required=False, choices=lambda: [("", "全部"), *AuditAction.choices])
    result = forms.ChoiceField(label="结果", required=False, choices=[("", "全部"), *AuditResult.choices])
    ip = forms.CharField(label="IP 地址", required=False, max_length=45)
    q = forms.CharField(label="对象或详情", required=False, max_length=100)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("开始日期不能晚于结束日期。")
        return data


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered_entries(params):
    """The form and the entries it selects (newest first); an invalid form selects every entry."""
    form = AuditFilter(params or None)
    entries = AuditEntry.objects.all()
    if not form.is_valid():
        return form, entries
    data = form.cleaned_data
    if data["date_from"]:
        entries = entries.filter(at__gte=_day_start(data["date_from"]))
    if data["date_to"]:
        entries = entries.filter(at__lt=_day_start(data["date_to"] + timedelta(days=1)))
    if data["actor"]:
        entries = entries.filter(actor_name__icontains=data["actor"].strip())
    if data["action"]:
        entries = entries.filter(action=data["action"])
    if data["result"]:
        entries = entries.filter(result=data["result"])
    if data["ip"]:
        entries = entries.filter(ip__startswith=data["ip"].strip())
    if data["q"]:
        text = data["q"].strip()
        entries = entries.filter(Q(object_text__icontains=text) | Q(detail__icontains=text) | Q(object_type=text))
    return form, entries


def _row(entry):
    return [
        timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
        entry.actor_label,
        entry.ip or "",
        entry.action_label,
        entry.object_type,
        entry.object_id,
        entry.object_text,
        entry.get_result_display(),
        entry.detail,
    ]


def _query(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_safe
@auditor_only
def entry_list(request):
    form, entries = filtered_entries(request.GET)
    page = paging.paginate(request, entries, PAGE_SIZE)
    return render(request, "audit/entries.html", {"filters": form, "page": page, "query": _query(request)})


def _export_name(ext):
    return f"审计日志-{timezone.localdate():%Y%m%d}.{ext}"


def _export_rows(request):
    _, entries = filtered_entries(request.GET)
    return (_row(entry) for entry in entries[:EXPORT_LIMIT].iterator(chunk_size=2000))


def _export_obj(request):
    return ("审计日志", "", f"筛选：{_query(request) or '全部'}")


@require_safe
@auditor_only
def export_csv(request):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    # Text that would run as a formula made inert, as in every workbook (core.cells_safe).
    writer.writerows(inert_row(row) for row in _export_rows(request))
    # UTF-8 with a byte-order mark: Excel on the office's computers opens it with the Chinese intact.
    content = out.getvalue().encode("utf-8-sig")
    return download_response(
        content, _export_name("csv"), "text/csv; charset=utf-8", audit=request, obj=_export_obj(request)
    )


@require_safe
@auditor_only
def export_xlsx(request):
    sheet = Sheet(
        name="审计日志",
        title="安全审计日志",
        header=HEADER,
        rows=_export_rows(request),
        widths=[20, 14, 16, 14, 12, 10, 30, 8, 40],
    )
    return workbook_response([sheet], _export_name("xlsx"), audit=request, obj=_export_obj(request))
