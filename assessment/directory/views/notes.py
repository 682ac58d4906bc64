"""The notes (说明) of a year's table on the office's scheme page: add, change, move, remove after confirming.

Each change goes through `assessment.directory.notes`; the page lists the notes (see `schemes.scheme_detail`).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from assessment import access
from assessment.models import Note, year_lock
from core.errors import DomainError

from .. import notes as note_services
from ..forms import NoteForm
from . import office_only
from .schemes import scheme_or_404, scheme_url


def _note_or_404(pk):
    note = Note.objects.select_related("scheme__category").filter(pk=pk).first()
    if note is None:
        raise Http404(access.NOT_FOUND)
    return note


def _note_form_page(request, note, title):
    form = NoteForm(request.POST if request.method == "POST" else None, instance=note)
    if request.method == "POST" and form.is_valid():
        service = note_services.update_note if note.pk else note_services.create_note
        try:
            saved = service(form.instance, list(form.cleaned_data["indicators"]), request.user)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已保存说明{saved.number}。")
            return redirect(scheme_url(saved.scheme))
    back, lock = scheme_url(note.scheme), year_lock(note.scheme.year)
    context = {"form": form, "title": title, "back": back, "lock": lock}
    return render(request, "directory/form.html", context, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@office_only
def note_new(request, year, category):
    scheme = scheme_or_404(year, category)
    return _note_form_page(request, Note(scheme=scheme), f"{scheme} · 新增说明")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@office_only
def note_edit(request, pk):
    note = _note_or_404(pk)
    return _note_form_page(request, note, f"{note.scheme} · 修改说明{note.number}")


@require_POST
@office_only
def note_move(request, pk):
    note = _note_or_404(pk)
    try:
        step = -1 if request.POST.get("step") == "up" else 1
        moved = note_services.move_note(note, step, request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"这条说明现在是说明{moved.number}。")
    return redirect(scheme_url(note.scheme))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@office_only
def note_remove(request, pk):
    note = _note_or_404(pk)
    back = scheme_url(note.scheme)
    if request.method == "POST":
        try:
            note_services.remove_note(note, request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已删除说明{note.number}，其后各条前移一位。")
        return redirect(back)
    context = {
        "title": "删除说明",
        "subject": f"{note.scheme}说明{note.number}“{note.text[:60]}”",
        "explanation": "删除后其后各条说明的序号前移一位；已发布的期刊保持发布时的说明不变。",
        "refusal": note.deletion_refusal(),
        "danger": True,
        "back": back,
    }
    return render(request, "directory/confirm.html", context)
