"""Cases in the followers' daily digest: each review step of a unit's case (drafts stay private)."""

from django.urls import reverse

from assessment.notify.digests import DigestEntry
from core.people import display_name

from .models import CaseStatus, CaseTransition


def case_changes(since, until):
    steps = (
        CaseTransition.objects.filter(at__gt=since, at__lte=until, case__source_unit__isnull=False)
        .exclude(to_status=CaseStatus.DRAFT)
        .select_related("case__source_unit", "by")
        .order_by("at", "pk")
    )
    for step in steps:
        case = step.case
        who, reason = display_name(step.by), f"：{step.reason}" if step.reason else ""
        yield DigestEntry(
            step.at,
            case.source_unit_id,
            None,
            f"{case.source_unit.name} · 案例“{case.title}”{step.get_to_status_display()}（{who}）{reason}"[:300],
            reverse("cases:detail", args=[case.pk]),
        )
