"""The assessment's own to-do sources: requests and imports for the office, overdue units, and a unit's
returned requests and items due soon or overdue. Registered from AssessmentConfig.ready."""

from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone

from assessment import access, cells
from assessment.due import DueStatus
from assessment.imports.sessions import SESSION_MAX_AGE
from assessment.models import ImportSession, Mark, MarkRequest, MarkState
from assessment.notify.models import Receipt

from .registry import TodoItem, TodoSection, TodoSource, first, register

# The statuses of a * cell that call for work now, most pressing first.
PRESSING = (DueStatus.YEAR_END, DueStatus.OVERDUE, DueStatus.DUE_SOON)
OVERDUE = (DueStatus.YEAR_END, DueStatus.OVERDUE)


def pressing_cells(year, unit_id=None, statuses=PRESSING):
    """[(mark, cell)] of `year` (one unit's, if given) whose * is due soon, overdue or open after the year end,
    in the printed order, without the cells a request is waiting on (the office has them). A fixed number
    of queries, whatever the number of cells."""
    marks = Mark.objects.filter(indicator__scheme__year=year, state=MarkState.PENDING)
    if unit_id is not None:
        marks = marks.filter(unit_id=unit_id)
    waiting = MarkRequest.objects.filter(mark=OuterRef("pk"), status=MarkRequest.Status.SUBMITTED)
    marks = list(
        marks.exclude(Exists(waiting))
        .select_related("unit__category", "indicator__scheme")
        .order_by("unit__category__order", "unit__order", "unit__pk", "indicator__order")
    )
    shown = cells.cells_of_marks(marks, {m.indicator_id: m.indicator for m in marks})
    return [(m, shown[m.pk]) for m in marks if shown[m.pk].is_pending and shown[m.pk].status in statuses]


def _pressing(status_count):
    return PRESSING.index(status_count[0])


def due_note(cell):
    when = f"{cell.due_date:%Y-%m-%d}" if cell.due_date else ""
    return f"{DueStatus(cell.status).label}{'（' + when + '）' if when else ''}"


class RequestsToReview(TodoSource):
    key = "assessment.requests_to_review"
    title = "待审核的单位申请"
    roles = (access.STAFF,)
    waiting_on = ()

    def waiting(self, run):
        return MarkRequest.objects.filter(status=MarkRequest.Status.SUBMITTED)

    def entries(self, run, limit):
        waiting = self.waiting(run)
        count = waiting.count()
        if not count:
            return None
        queue = reverse("units:requests")
        items = [
            TodoItem(
                f"{r.mark.unit.name} · {r.mark.indicator.title}：{r.get_kind_display()}",
                f"{queue}#request-{r.pk}",
                f"{timezone.localtime(r.submitted_at):%Y-%m-%d %H:%M} 提交",
            )
            for r in first(
                waiting.select_related("mark__unit", "mark__indicator").order_by("submitted_at", "pk"), limit
            )
        ]
        return TodoSection(self.title, count, items, queue)


class ImportsToConfirm(TodoSource):
    key = "assessment.imports_to_confirm"
    title = "待确认的Excel导入"
    roles = (access.STAFF,)
    waiting_on = ("user_id",)

    def waiting(self, run):
        # The database's clock, not a parameter: the query is the same on every request (registry.waiting_on).
        return ImportSession.objects.filter(
            created_by=run.user,
            status=ImportSession.Status.PREVIEW,
            created_at__gte=Now() - Value(SESSION_MAX_AGE),
        )

    def entries(self, run, limit):
        waiting = self.waiting(run)
        count = waiting.count()
        if not count:
            return None
        items = [
            TodoItem(
                f"{s.get_kind_display()}：{s.file_name}",
                reverse("imports:preview", args=[s.token]),
                f"{timezone.localtime(s.created_at):%Y-%m-%d %H:%M} 上传",
            )
            for s in first(waiting.order_by("created_at", "pk"), limit)
        ]
        return TodoSection(self.title, count, items, reverse("imports:index"))


class OverdueUnits(TodoSource):
    key = "assessment.overdue_units"
    title = "有逾期事项的单位"
    roles = (access.STAFF,)
    in_menu = False  # walks every unit's open cells of the year: on the 待办 page only

    def entries(self, run, limit):
        year = run.open_year
        if year is None:
            return None
        per_unit = {}
        for mark, cell in pressing_cells(year, statuses=OVERDUE):
            unit, counts = per_unit.setdefault(mark.unit_id, (mark.unit, {}))
            counts[cell.status] = counts.get(cell.status, 0) + 1
        if not per_unit:
            return None
        items = [
            TodoItem(
                unit.name,
                reverse("units:detail", args=[unit.pk]),
                "，".join(f"{DueStatus(status).label} {n} 项" for status, n in sorted(counts.items(), key=_pressing)),
            )
            for unit, counts in list(per_unit.values())[:limit]
        ]
        return TodoSection(self.title, len(per_unit), items, reverse("overview:index"))


class ReturnedRequests(TodoSource):
    key = "assessment.returned_requests"
    title = "被退回的申请"
    roles = (access.REPORTER,)
    waiting_on = ("unit_id", "open_year")

    def waiting(self, run):
        year = run.open_year
        if year is None:
            return MarkRequest.objects.none()
        later = MarkRequest.objects.filter(mark=OuterRef("mark"), pk__gt=OuterRef("pk"))
        return MarkRequest.objects.filter(
            status=MarkRequest.Status.RETURNED,
            mark__unit_id=run.unit_id,
            mark__indicator__scheme__year=year,
            mark__state=MarkState.PENDING,
        ).exclude(Exists(later))

    def entries(self, run, limit):
        returned = self.waiting(run)
        count = returned.count()
        if not count:
            return None
        items = [
            TodoItem(
                f"{r.mark.indicator.title}：{r.get_kind_display()}",
                reverse("units:request_new", args=[r.mark.unit_id, r.mark_id]) + f"?kind={r.kind}",
                f"退回理由：{r.reason}",
            )
            for r in first(returned.select_related("mark__indicator").order_by("-decided_at", "-pk"), limit)
        ]
        return TodoSection(self.title, count, items, reverse("units:detail", args=[run.unit_id]))


class DueItems(TodoSource):
    key = "assessment.due_items"
    title = "即将到期和已逾期的事项"
    roles = (access.REPORTER,)

    def entries(self, run, limit):
        year = run.open_year
        if year is None:
            return None
        unit_id = run.unit_id
        found = pressing_cells(year, unit_id=unit_id)
        if not found:
            return None
        found.sort(key=lambda mc: PRESSING.index(mc[1].status))
        items = [
            TodoItem(
                f"{mark.indicator.title} {mark.indicator.points_label}".strip(),
                reverse("units:request_new", args=[unit_id, mark.pk]),
                due_note(cell),
            )
            for mark, cell in found[:limit]
        ]
        return TodoSection(self.title, len(found), items, reverse("units:detail", args=[unit_id]))


class UnacknowledgedReminders(TodoSource):
    """签收: reminders and 催办 the unit has not acknowledged; each entry is its personal link, which records it."""

    key = "assessment.unacknowledged_reminders"
    title = "待签收的提醒"
    roles = (access.REPORTER,)
    waiting_on = ("unit_id",)

    def waiting(self, run):
        return Receipt.objects.filter(unit_id=run.unit_id, acknowledged_at__isnull=True)

    def entries(self, run, limit):
        waiting = self.waiting(run)
        count = waiting.count()
        if not count:
            return None
        items = [
            TodoItem(
                f"{'催办' if r.reminder.single else '提醒'} {timezone.localtime(r.reminder.created_at):%Y-%m-%d %H:%M}",
                reverse("units:receipt", args=[r.token]),
                r.reminder.message,
            )
            for r in first(waiting.select_related("reminder").order_by("-reminder__created_at", "-pk"), limit)
        ]
        return TodoSection(self.title, count, items, reverse("units:detail", args=[run.unit_id]))


def register_all():
    sources = (RequestsToReview(), ImportsToConfirm(), OverdueUnits(), ReturnedRequests(), DueItems())
    for source in (*sources, UnacknowledgedReminders()):
        register(source)
