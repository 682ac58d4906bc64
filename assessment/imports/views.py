"""Pages of the Excel import and export: download, upload, preview, confirm (市信用办 only)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessment import access
from assessment.imports.reading import MAX_IMPORT_BYTES
from assessment.imports.sessions import confirm_import, start_import
from assessment.imports.sheets import scheme_sheets, units_sheets
from assessment.models import ImportKind, ImportSession, Scheme
from assessment.sheets import progress_sheets
from assessment.tables import printed_tables, schemes_with_parts
from assessment.years import scheme_years, year_state
from core.errors import DomainError
from core.excel import workbook_response

MIN_YEAR, MAX_YEAR = 2000, 2100


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Excel 工作簿（.xlsx）",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
        help_text=f"从本系统导出、修改后保存的 .xlsx 文件，不超过 {MAX_IMPORT_BYTES // (1024 * 1024)} MB。",
        error_messages={
            "required": "请选择要导入的文件。",
            "empty": "文件是空的：请选择从本系统导出、修改后保存的 .xlsx 文件。",
        },
    )


# Imports and exports are the office's work: leaders see them refused (403), reporters find nothing (404).
manage = access.manage_required


def _years():
    return scheme_years()


def _no_schemes(year):
    return Http404(f"{year}年度还没有考核方案。")


def _year_with_schemes(year):
    if not Scheme.objects.filter(year=year).exists():
        raise _no_schemes(year)
    return year


@require_safe
@manage
def index(request):
    years = _years()
    sessions = ImportSession.objects.filter(created_by=request.user)[:10]
    next_year = (years[0] + 1) if years else None
    # A closed year takes no import (not offered; the import's writes refuse it again).
    closed = {year: year_state(year) for year in years}
    closed = {year: state.banner for year, state in closed.items() if state.closed}
    return render(
        request,
        "assessment/import_index.html",
        {"years": years, "next_year": next_year, "sessions": sessions, "closed": closed},
    )


@require_safe
@manage
def progress_xlsx(request, year):
    schemes = schemes_with_parts(Scheme.objects.filter(year=year), units=False).order_by("category__order")
    tables = printed_tables(schemes)  # the year's schemes, so no query first to ask whether there are any
    if not tables:
        raise _no_schemes(year)
    sheets = progress_sheets(tables, title_prefix=f"{year}年度 ")
    return workbook_response(sheets, f"工作进展通报-{year}年度.xlsx", audit=request)


@require_safe
@manage
def schemes_xlsx(request, year):
    _year_with_schemes(year)
    return workbook_response(scheme_sheets(year), f"考核方案-{year}年度.xlsx", audit=request)


@require_safe
@manage
def units_xlsx(request):
    return workbook_response(units_sheets(), "责任单位.xlsx", audit=request)


TITLES = {
    ImportKind.MARKS: "导入完成情况",
    ImportKind.SCHEMES: "导入考核方案",
    ImportKind.UNITS: "导入责任单位",
}


@require_http_methods(["GET", "HEAD", "POST"])
@manage
def upload(request, kind, year=None):
    if kind == ImportKind.MARKS:
        _year_with_schemes(year)
    elif year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("年度不正确。")
    state = year_state(year) if year is not None else None
    if state is not None and state.closed:  # not offered on the index; the import's writes refuse it again
        messages.error(request, state.banner)
        return redirect("imports:index")
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if form.is_bound and form.is_valid():
        try:
            session = start_import(form.cleaned_data["file"], kind, year, request.user)
        except DomainError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("imports:preview", token=session.token)
    return render(
        request,
        "assessment/import_upload.html",
        {"form": form, "kind": kind, "year": year, "title": TITLES[kind]},
        status=400 if form.errors else 200,
    )


def _session_for(request, token):
    """Only the uploader sees a session: another user's token is as good as unknown."""
    return get_object_or_404(ImportSession, token=token, created_by=request.user)


@require_safe
@manage
def preview(request, token):
    session = _session_for(request, token)
    changes = session.changes
    return render(
        request,
        "assessment/import_preview.html",
        {
            "session": session,
            "title": TITLES[session.kind],
            "changes": changes,
            "errors": session.errors,
            "notes": session.payload.get("notes", []),
            "scoring": session.payload.get("scoring", []),
            "reverts": session.payload.get("reverts", []),
            "stale_warning": session.payload.get("stale_warning", ""),
            "sheets": session.payload.get("sheets", []),
            "can_confirm": session.status == ImportSession.Status.PREVIEW and changes and not session.errors,
        },
    )


@require_POST
@manage
def confirm(request, token):
    session = _session_for(request, token)
    try:
        session = confirm_import(session, request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{TITLES[session.kind]}：{session.message}")
    return redirect("imports:preview", token=session.token)
