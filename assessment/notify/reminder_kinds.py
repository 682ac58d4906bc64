"""What units are reminded of: reminder kinds, their open items, and the marks' kind.

What a unit is reminded of comes from reminder kinds: `register_reminder_kind(name, open_items)`, where
`open_items(year, stage, as_of)` returns the year's open `ReminderItem`s (unit, reference, due date, stage).
This module registers the marks' kind: every * cell with its due date and its stage from the cell's due
status (assessment.due: overdue, due soon, else pending). `open_items(year)` is every kind's, what the
office's manual reminder sends; `due_items` keeps the due-soon and overdue ones, what `manage.py
send_reminders` sends every day. Whom they go to and how often is assessment.notify.reminders.

Once a year has ended its open cells are 年终未完成: until the year is closed, the unit is asked once for
its year-end explanation (情况说明), with no days counted; a closed year sends none (`open_items`,
`reminder_years`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from assessment import cells, years
from assessment.due import DueStatus
from assessment.models import Mark, MarkRequest, MarkState

from .models import Stage


@dataclass(frozen=True)
class ReminderItem:
    """One item to remind a unit of. `cell` is a stable reference, <kind>:<id> (mark:<id>); `stage` a Stage
    value. Earlier reminders are remembered per (cell, stage) (CellReminder)."""

    unit: object
    cell: str
    title: str
    due: date | None = None
    stage: str | None = None
    note: str = ""


@dataclass(frozen=True)
class ReminderKind:
    """A kind of item units are reminded of: `name` prefixes its items' references, `open_items(year, stage,
    as_of)` gives the year's open items (at `stage` those that are not yet due soon)."""

    name: str
    open_items: Callable


KINDS = {}


def register_reminder_kind(name, open_items):
    """Add a kind of reminder; at import, or from a higher layer's AppConfig.ready (as digest sources are).
    Registering the same twice keeps one; another function under a name already taken is an error."""
    known = KINDS.get(name)
    if known is not None and known.open_items is not open_items:
        raise ValueError(f"reminder kind {name!r} is registered already")
    KINDS[name] = ReminderKind(name, open_items)
    return open_items


def open_items(year, stage=Stage.PENDING, as_of=None):
    """Every open item of `year`, kind by kind in the order they were registered, each in its kind's order.

    A closed year has nothing open to remind of: its result is fixed (assessment.years.year_state).
    """
    if years.year_state(year).closed:
        return []
    return [item for kind in KINDS.values() for item in kind.open_items(year, stage, as_of)]


# The stages the daily run sends (the rest waits for the office's manual reminder).
DUE_STAGES = (Stage.YEAR_END, Stage.DUE_SOON, Stage.OVERDUE)


def due_items(year, as_of=None):
    """The open items the daily run reminds of: due soon (before the date), overdue (pressing after it) and,
    once the year has ended, the year-end explanation (once)."""
    return [i for i in open_items(year, as_of=as_of) if i.stage in DUE_STAGES]


def reminder_years():
    """The years the daily run reminds of: the current year (assessment.years.current_year, the year units
    act on, as their requests), unless it is closed. Once it has ended its open cells ask for the year-end
    explanation; a closed year sends nothing."""
    current = years.current_year()
    return [current] if current is not None and years.year_state(current).is_open else []


# --- the marks' kind: the * cells of a year's tables

MARKS = "mark"


def mark_item(mark, stage=Stage.PENDING, due=None, note=""):
    """The item for a Mark (with its unit and indicator loaded)."""
    title = f"{mark.indicator.title} {mark.indicator.points_label}".strip()
    return ReminderItem(mark.unit, f"{MARKS}:{mark.pk}", title, due, stage, note)


# A cell's due status (assessment.due) → the stage it is reminded at; a * not yet due stays "pending".
STATUS_STAGES = {
    DueStatus.YEAR_END: Stage.YEAR_END,
    DueStatus.OVERDUE: Stage.OVERDUE,
    DueStatus.DUE_SOON: Stage.DUE_SOON,
}


def open_cells(year, stage=Stage.PENDING, as_of=None):
    """Every cell of `year` that shows *, in the printed order of units and columns (4 queries).

    What a cell shows and when it is due are assessment.cells': a derived 奖惩案例 cell with cases counted is
    not open; an overdue cell is at the overdue stage, one due soon at the due-soon stage, one open after the
    year ended at the year-end stage, each with its due date as of `as_of` (default today); the rest at
    `stage`.
    """
    marks = list(
        Mark.objects.filter(indicator__scheme__year=year, state=MarkState.PENDING)
        .select_related("unit__category", "indicator__scheme")
        .order_by("unit__category__order", "unit__order", "unit__pk", "indicator__order")
    )
    shown = cells.cells_of_marks(marks, {m.indicator_id: m.indicator for m in marks}, as_of=as_of)
    marks = [m for m in marks if shown[m.pk].is_pending]
    requested = set(
        MarkRequest.objects.filter(
            status=MarkRequest.Status.SUBMITTED, mark__indicator__scheme__year=year, mark__state=MarkState.PENDING
        ).values_list("mark_id", flat=True)
    )
    return [
        mark_item(
            m,
            STATUS_STAGES.get(shown[m.pk].status, stage),
            shown[m.pk].due_date,
            note="已提交申请，待市信用办审核" if m.pk in requested else "",
        )
        for m in marks
    ]


register_reminder_kind(MARKS, open_cells)
