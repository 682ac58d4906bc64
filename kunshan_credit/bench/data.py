"""The benchmark's data: the demo city (70 units), or a generated province on the demo's schemes.

City: exactly `load_demo` (every object saved through its model's validation), plus 10 generated
cases per unit so the case pages have something to list.

Province: the demo first (its 70 units, the 2019 schemes, the issue 第11期), then 1,930 generated
units in the same three categories (区镇, 城市管理办事处, 部门, in the demo's proportions), one mark
per unit and indicator (about 18,000 in all) and 20,000 cases. Generated objects are validated
with `full_clean()` on a sample — every 20th object of each kind, and the first object of every
(indicator, value) pair — and then written with `bulk_create` (marks with their history, through
simple-history). Validating every object costs about three queries each (the unit's scheme, the
unique cell, the check constraint), ten times the generation itself at province scale;
`validate_all=True` does it anyway.

National (issue 25): the same as the province up to 20,000 units (181,716 marks) and 200,000 cases; on
PostgreSQL the data is then ANALYZEd, as autovacuum would after such inserts.

The issue is published last, by `bulletins.services.publish_issue`, so its frozen tables hold
every generated unit.
"""

import io
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from assessment import stored_tallies
from assessment.marks.services import HOW
from assessment.models import Indicator, Mark, Scheme, SchemeUnit, Unit
from bulletins.management.commands import load_demo
from bulletins.models import Issue
from cases import stored_counts
from cases.models import Case, CaseKind, CaseStatus, CaseTransition

YEAR = 2019
SEED = 2019
SAMPLE_EVERY = 20


@dataclass(frozen=True)
class Scale:
    name: str
    units: int  # all units, the demo's 70 included
    cases: int  # generated cases (the demo's printed cases come on top)
    changed_cells: int  # cells an import changes in the import-confirm row


SCALES = {
    "city": Scale("city", units=70, cases=700, changed_cells=60),
    "province": Scale("province", units=2000, cases=20000, changed_cells=842),
    # Issue 25: "national = 20,000 units, 200,000 cases".
    "national": Scale("national", units=20000, cases=200000, changed_cells=842),
}

# status → share of generated cases (most are accepted: they make the 奖惩案例 counts)
CASE_STATUSES = [
    (CaseStatus.ACCEPTED, 60),
    (CaseStatus.SUBMITTED, 15),
    (CaseStatus.RESUBMITTED, 5),
    (CaseStatus.RETURNED, 5),
    (CaseStatus.DRAFT, 10),
    (CaseStatus.WITHDRAWN, 5),
]
BODY = (
    "某企业在申请财政资金扶持时，经信用审查存在严重失信记录，依据联合惩戒备忘录暂停其申报资格。\n"
    "该企业整改完毕、完成信用修复后，恢复其申报资格，并纳入重点关注名单跟踪管理。"
)


class Validated:
    """Collects objects to bulk-create; runs full_clean() on every `every`-th one and each new variant."""

    def __init__(self, validate_all):
        self.every = 1 if validate_all else SAMPLE_EVERY
        self.seen = set()
        self.checked = 0
        self.objects = []

    def add(self, obj, variant=None):
        if len(self.objects) % self.every == 0 or (variant is not None and variant not in self.seen):
            obj.full_clean()
            self.checked += 1
        if variant is not None:
            self.seen.add(variant)
        self.objects.append(obj)
        return obj


def _pick_value(rng, indicator):
    """A plausible cell: mostly √, some *, a few of the column's other words; counts start at 0."""
    if indicator.is_derived:
        # Counted from the case records (assessment.derived): the cell keeps a word, as the demo's do.
        states = list(indicator.allowed_states)
        return ("*" if "*" in states else states[0]), None
    if indicator.accepts_count:
        return "", 0
    states = list(indicator.allowed_states)
    if "√" not in states:
        return states[0], None
    others = [s for s in states if s not in ("√", "*")]
    roll = rng.random()
    if roll < 0.7 or ("*" not in states and not others):
        return "√", None
    if roll < 0.9 and "*" in states:
        return "*", None
    return (rng.choice(others) if others else "*"), None


def _split(total, weights):
    """`total` divided in the proportions of `weights` (largest remainders), summing to `total` exactly."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    parts = [int(s) for s in shares]
    for i in sorted(range(len(shares)), key=lambda i: parts[i] - shares[i])[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _extra_units(scale, rng, validate_all):
    """Units beyond the demo's, in each scheme's proportion; returns how many marks were made."""
    schemes = list(Scheme.objects.filter(year=YEAR).select_related("category").order_by("category__order"))
    existing = [s.scheme_units.count() for s in schemes]
    extra = _split(scale.units - sum(existing), existing)
    order = Unit.objects.order_by("-order").values_list("order", flat=True).first() or 0
    units = Validated(validate_all)
    planned = []  # (scheme, unit, position)
    for scheme, have, more in zip(schemes, existing, extra, strict=True):
        for i in range(more):
            order += 1
            name = f"{scheme.category.name}{have + i + 1:04d}"
            unit = units.add(Unit(name=name, category=scheme.category, order=order))
            planned.append((scheme, unit, have + i + 1))
    Unit.objects.bulk_create(units.objects, batch_size=500)
    names = {u.name: u for u in Unit.objects.filter(name__in=[u.name for u in units.objects])}
    links = Validated(validate_all)
    for scheme, unit, position in planned:
        unit.pk = names[unit.name].pk
        links.add(SchemeUnit(scheme=scheme, unit=unit, order=position), variant=scheme.pk)
    SchemeUnit.objects.bulk_create(links.objects, batch_size=500)
    marks = Validated(validate_all)
    indicators = {s.pk: list(Indicator.objects.filter(scheme=s).order_by("order")) for s in schemes}
    for scheme, unit, _ in planned:
        for indicator in indicators[scheme.pk]:
            state, count = _pick_value(rng, indicator)
            marks.add(Mark(unit=unit, indicator=indicator, state=state, count=count), variant=(indicator.pk, state))
    bulk_create_with_history(marks.objects, Mark, batch_size=1000, default_change_reason=HOW.DEMO)
    stored_tallies.invalidate(s.pk for s in schemes)  # bulk_create sends no signal: counted again on first read
    return {"units": len(units.objects), "marks": len(marks.objects), "checked": units.checked + marks.checked}


def _cases(scale, rng, validate_all):
    units = list(SchemeUnit.objects.filter(scheme__year=YEAR).select_related("unit").values_list("unit", flat=True))
    by_pk = Unit.objects.in_bulk(units)
    statuses = [s for s, _ in CASE_STATUSES]
    weights = [w for _, w in CASE_STATUSES]
    now = timezone.now()
    cases = Validated(validate_all)
    for n in range(scale.cases):
        unit = by_pk[units[n % len(units)]]
        quarter = n % 4 + 1
        day = date(YEAR, 3 * quarter - 2, 1) + timedelta(days=rng.randrange(89))
        status = rng.choices(statuses, weights)[0]
        kind = CaseKind.REWARD if n % 3 else CaseKind.PENALTY
        case = Case(
            kind=kind,
            title=f"{unit.name}{YEAR}年第{quarter}季度信用案例{n + 1}",
            body=BODY,
            source_unit=unit,
            source_label=unit.name,
            year=YEAR,
            quarter=quarter,
            status=status,
            event_date=day,
            subject=f"某企业{n + 1}",
            submitted_at=None if status == CaseStatus.DRAFT else now,
            accepted_at=now if status == CaseStatus.ACCEPTED else None,
        )
        cases.add(case, variant=(status, kind))
    created = Case.objects.bulk_create(cases.objects, batch_size=1000)
    if created and created[0].pk is None:  # backends that do not return ids (none of ours today)
        created = list(Case.objects.filter(title__in=[c.title for c in cases.objects]))
    steps = [
        CaseTransition(case=c, from_status="", to_status=c.status, reason="基准测试数据", at=now)
        for c in created
        if c.status != CaseStatus.DRAFT
    ]
    CaseTransition.objects.bulk_create(steps, batch_size=1000)
    stored_counts.invalidate()  # bulk_create sends no signal: the stored counts are rebuilt from these cases
    return {"cases": len(created), "checked": cases.checked}


def build(scale, validate_all=False):
    """Fill the (empty, migrated) database for `scale`; returns counts of what was made."""
    rng = random.Random(SEED)
    with transaction.atomic():
        schemes = json.loads((load_demo.DEMO_DIR / "schemes-2019.json").read_text(encoding="utf-8"))
        printed_counts = load_demo.load_schemes(schemes)
        issue_data = json.loads((load_demo.DEMO_DIR / "issue-2019-11.json").read_text(encoding="utf-8"))
        issue = load_demo.load_issue(issue_data)
        load_demo.load_case_counts(schemes["year"], printed_counts, issue_data["cases"], issue_data["offline_counts"])
        made = {"units": 0, "marks": 0, "checked": 0}
        if scale.units > Unit.objects.count():
            made = _extra_units(scale, rng, validate_all)
        made_cases = _cases(scale, rng, validate_all)
        load_demo.publish_once(issue)
        load_demo.load_accounts()
    # As the nightly jobs leave a site's database (kunshan_credit.jobs: rebuild_tallies, rebuild_case_counts,
    # rebuild_scores): what bulk_create wrote without signals counted and scored once, so that no timed request
    # pays for a whole year's recount, which a site's pages never do between one night and the next.
    for job in (("rebuild_tallies",), ("rebuild_case_counts",), ("rebuild_scores",)):
        call_command(*job, stdout=io.StringIO())
    if connection.vendor == "postgresql":
        # What autovacuum does to a real database after such inserts: without the tables' statistics the
        # planner takes 180,000 marks for a few rows and joins them one by one (the year page: 600 ms, not 230).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "units": Unit.objects.count(),
        "marks": Mark.objects.count(),
        "cases": Case.objects.count(),
        "validated": made["checked"] + made_cases["checked"],
        "issue": Issue.objects.get(pk=issue.pk),
    }
