"""The cases' to-do sources (assessment.todo): cases waiting for the office's review, and a unit's returned
cases waiting to be changed and sent again. Registered from CasesConfig.ready."""

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from assessment import access
from assessment.todo.registry import TodoItem, TodoSection, TodoSource, first, register

from .models import PENDING_STATUSES, Case, CaseStatus, CaseTransition


class CasesToReview(TodoSource):
    key = "cases.to_review"
    title = "待审核的奖惩案例"
    roles = (access.STAFF,)
    waiting_on = ()

    def waiting(self, run):
        return Case.objects.filter(status__in=PENDING_STATUSES)

    def entries(self, run, limit):
        waiting = self.waiting(run)
        count = waiting.count()
        if not count:
            return None
        items = [
            TodoItem(
                f"{case.printed_title}（{case.source_label}）",
                reverse("cases:detail", args=[case.pk]),
                f"{timezone.localtime(case.submitted_at):%Y-%m-%d %H:%M} {case.get_status_display()}"
                if case.submitted_at
                else case.get_status_display(),
            )
            for case in first(waiting.order_by("submitted_at", "pk"), limit)
        ]
        return TodoSection(self.title, count, items, reverse("cases:review"))


class ReturnedCases(TodoSource):
    key = "cases.returned"
    title = "被退回的奖惩案例"
    roles = (access.REPORTER,)
    waiting_on = ("unit_id",)

    def waiting(self, run):
        return Case.objects.filter(status=CaseStatus.RETURNED, source_unit_id=run.unit_id)

    def entries(self, run, limit):
        returned = self.waiting(run)
        count = returned.count()
        if not count:
            return None
        reason = CaseTransition.objects.filter(case=OuterRef("pk"), to_status=CaseStatus.RETURNED).order_by(
            "-at", "-pk"
        )
        items = [
            TodoItem(case.printed_title, reverse("cases:edit", args=[case.pk]), f"退回理由：{case.returned_reason}")
            for case in first(
                returned.annotate(returned_reason=Subquery(reason.values("reason")[:1])).order_by("-updated_at", "-pk"),
                limit,
            )
        ]
        return TodoSection(self.title, count, items, f"{reverse('cases:list')}?status={CaseStatus.RETURNED}")


def register_all():
    register(CasesToReview())
    register(ReturnedCases())
