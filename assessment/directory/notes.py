"""The numbered notes (说明) under a year's table as the office keeps them: add, change, move, remove.

The rules are the model's (`Note.clean`: plain text without scripts, a closed year locked;
`Note.check_indicators`: only the table's own columns; `Note.deletion_refusal`). Numbers stay 1..n without
gaps: the unique (scheme, number) constraint is checked row by row, so a move parks one note outside the
range while two swap, and a removal moves the later notes up one at a time from the lowest. A published
issue keeps the notes it was published with (bulletins.snapshot); a change shows in later issues and
previews only.
"""

from django.db import IntegrityError, transaction
from django.db.models import Max

from assessment.audit_actions import AuditAction
from assessment.models import Note, Scheme
from assessment.years import require_open
from core.audit import audited
from core.errors import DomainError

from .changes import describe_changes
from .guards import require_office, validate


def _lock_scheme(note):
    """One change of a table's notes at a time (their numbers depend on each other)."""
    return Scheme.objects.select_for_update().select_related("category").get(pk=note.scheme_id)


def _titles(indicators):
    return "、".join(i.title for i in sorted(indicators, key=lambda i: i.order)) or "（无）"


def _facts(args, result):
    note = result or args["note"]
    return {
        "obj": ("说明", note.pk or "", f"{note.scheme} 说明{note.number or ''}"),
        "detail": getattr(result, "audit_detail", ""),
    }


@audited(AuditAction.NOTE_CREATE, _facts, refused=DomainError)
def create_note(note, indicators, user):
    """Add an unsaved `note` (its scheme and text set) as the table's last note, speaking of `indicators`."""
    require_office(user)
    with transaction.atomic():
        scheme = _lock_scheme(note)
        note.number = (scheme.notes.aggregate(n=Max("number"))["n"] or 0) + 1
        validate(note, lambda: note.check_indicators(indicators))
        try:
            note.save()
        except IntegrityError as exc:
            raise DomainError("说明序号刚被占用，请重新提交。") from exc
        note.indicators.set(indicators)
        note.audit_detail = f"内容：{note.text}；涉及指标：{_titles(indicators)}"
        return note


@audited(AuditAction.NOTE_CHANGE, _facts, refused=DomainError)
def update_note(note, indicators, user):
    """Save the note's changed text and the columns it speaks of."""
    require_office(user)
    with transaction.atomic():
        _lock_scheme(note)
        before = Note.objects.prefetch_related("indicators").filter(pk=note.pk).first()
        if before is None:
            raise DomainError("该说明已被删除。")
        validate(note, lambda: note.check_indicators(indicators))
        note.save(update_fields=["text"])
        note.indicators.set(indicators)
        lines = [describe_changes(before, note, ["text"])]
        old, new = _titles(before.indicators.all()), _titles(indicators)
        if old != new:
            lines.append(f"涉及指标：{old} → {new}")
        note.audit_detail = "；".join(line for line in lines if line) or "未修改"
        return note


@audited(AuditAction.NOTE_CHANGE, _facts, refused=DomainError)
def move_note(note, step, user):
    """Swap the note with its neighbour (step -1: up, +1: down) under the printed table."""
    require_office(user)
    if step not in (-1, 1):
        raise DomainError("只能上移或下移一位。")
    with transaction.atomic():
        scheme = _lock_scheme(note)
        require_open(scheme.year)
        notes = list(scheme.notes.order_by("number", "pk"))
        current = next((n for n in notes if n.pk == note.pk), None)
        if current is None:
            raise DomainError("该说明已被删除。")
        position = notes.index(current)
        if not 0 <= position + step < len(notes):
            raise DomainError(f"说明{current.number}已经是{'第一' if step < 0 else '最后一'}条。")
        other = notes[position + step]
        old, new = current.number, other.number
        # The number is unique in a table: park one note outside the range while they swap.
        current.number = notes[-1].number + 1
        current.save(update_fields=["number"])
        other.number = old
        other.save(update_fields=["number"])
        current.number = new
        current.save(update_fields=["number"])
        current.scheme = scheme
        current.audit_detail = f"序号：{old} → {new}（与原说明{new}交换）"
        return current


@audited(AuditAction.NOTE_DELETE, _facts, refused=DomainError)
def remove_note(note, user):
    """Remove a note no rule scores under; the notes after it move up so the numbers stay 1..n.
    Returns the removed note (unsaved)."""
    require_office(user)
    with transaction.atomic():
        scheme = _lock_scheme(note)
        current = Note.objects.filter(pk=note.pk).first()
        if current is None:
            raise DomainError("该说明已被删除。")
        current.scheme = scheme
        refusal = current.deletion_refusal()
        if refusal:
            raise DomainError(refusal)
        pk, number = current.pk, current.number
        current.delete()
        _renumber(scheme)
        current.pk = pk
        current.audit_detail = f"删除说明{number}：{current.text}；其后各条前移一位"
        return current


def _renumber(scheme):
    """Number the scheme's notes 1..n in their order. From the lowest up, each moves to a lower number no
    other note holds (those before it already took 1..k-1, those after hold higher ones)."""
    for number, note in enumerate(scheme.notes.order_by("number", "pk"), start=1):
        if note.number != number:
            note.number = number
            note.save(update_fields=["number"])
