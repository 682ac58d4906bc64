"""The arithmetic of the rules (scoring.rules): each item's amounts and words, a unit's score, the ranking."""

from collections import defaultdict

from assessment.models import EXEMPT_STATES, EXPLAINED_STATES, MarkState, RuleKind

from .lines import Line, Status, UnitScore
from .rules import GROUP, PENDING, ZERO, discretionary_loss, fmt, occurrence_loss


def _state_item_status(texts):
    """earn / lose columns and rule groups: only a “*” at year end costs the item's points."""
    if any(t == PENDING for _, t in texts):
        return Status.PENDING
    if any(not t for _, t in texts):
        return Status.MISSING
    if all(t in EXEMPT_STATES for _, t in texts):
        return Status.EXEMPT
    return Status.OK


def _state_item_words(item, texts, status):
    p = item.points if item.is_group else item.columns[0].points
    pf = fmt(p)
    earn = item.base_kind == RuleKind.EARN
    if status == Status.PENDING:
        # A group names the column(s) still “*”; a single column's line is its own title.
        pending = [c for c, t in texts if t == PENDING]
        prefix = "、".join(f"“{c.title}”" for c in pending) if item.is_group else ""
        cost = f"不得{pf}分" if earn else f"扣{pf}分"
        explanation = f"{prefix}未完成（*）：年中不扣分；年底考核时仍未完成且未作情况说明的，{cost}"
        return explanation, f"{prefix}年底考核时仍未完成且未作情况说明，{cost}"
    if status == Status.MISSING:
        explanation = "未填写完成情况，暂不计分"
    elif status == Status.EXEMPT:
        if all(t == MarkState.NOT_ASSESSED for _, t in texts):
            why = "非考核项"
        elif all(t in EXPLAINED_STATES for _, t in texts):
            why = "已作情况说明"
        else:
            why = "已作情况说明或非考核项"
        explanation = f"{why}，不作为扣分项" + (f"，计{pf}分" if earn else "")
    else:
        exempt = any(t in EXEMPT_STATES for _, t in texts)
        explanation = (f"已完成，得{pf}分" if earn else "已完成，不扣分") + (
            "（其余为非考核项或已说明）" if exempt else ""
        )
    return explanation, explanation


def _occurrences(records):
    """(confirmed occurrences, records waiting for confirmation)."""
    n, waiting = 0, 0
    for r in records:
        if r.confirmed:
            n += r.count or 0
        else:
            waiting += 1
    return n, waiting


def _occurrence_item_amounts(item, text, records):
    col = item.columns[0]
    if text in EXEMPT_STATES:
        return Status.EXEMPT, ZERO, ZERO
    n, _ = _occurrences(records)
    if n:
        now = occurrence_loss(col, n)
        return Status.DEDUCTED, now, now
    if text == PENDING:
        return Status.PENDING, ZERO, occurrence_loss(col, 1)
    if not text:
        return Status.MISSING, ZERO, ZERO
    return Status.OK, ZERO, ZERO


def _waiting_tail(waiting):
    return f"；另有{waiting}条记录待确认，确认后计入" if waiting else ""


def _occurrence_item_words(item, text, records, status, now, year_end):
    col = item.columns[0]
    n, waiting = _occurrences(records)
    tail = _waiting_tail(waiting)
    if status == Status.EXEMPT:
        why = "非考核项" if text == MarkState.NOT_ASSESSED else "已作情况说明"
        extra = f"（已记录的{n}次不计）" if n else ""
        explanation = f"{why}，不作为扣分项{extra}"
        return explanation + tail, explanation
    if status == Status.DEDUCTED:
        raw = col.rate * n
        capped = f"，扣满{fmt(col.cap)}分为止，扣{fmt(now)}分" if raw > col.cap else f"，扣{fmt(now)}分"
        explanation = f"已确认{n}次：{fmt(col.rate)}分×{n}次={fmt(raw)}分{capped}"
        return explanation + tail, explanation
    if status == Status.PENDING:
        one = fmt(year_end)
        explanation = f"未完成（*），尚无确认的次数：年中不扣分；年底考核时仍未完成且未作情况说明的，按1次计，扣{one}分"
        final = f"年底考核时仍未完成且未作情况说明、未记录次数，按1次计，扣{one}分"
        return explanation + tail, final
    if status == Status.MISSING:
        explanation = "未填写完成情况，暂不计分"
        return explanation + tail, explanation
    explanation = "无确认的扣分记录，不扣分"
    return explanation + tail, explanation


def _confirmed_amount(records):
    return sum((r.amount or ZERO for r in records if r.confirmed), ZERO)


def _discretionary_item_amounts(item, text, records):
    if text in EXEMPT_STATES:
        return Status.EXEMPT, ZERO, ZERO
    total = _confirmed_amount(records)
    if total:
        now = discretionary_loss(item.columns[0], total)
        return Status.DEDUCTED, now, now
    return Status.OK, ZERO, ZERO


def _discretionary_item_words(item, text, records, status, now):
    col = item.columns[0]
    confirmed = [r for r in records if r.confirmed]
    tail = _waiting_tail(len(records) - len(confirmed))
    if status == Status.EXEMPT:
        explanation = ("非考核项" if text == MarkState.NOT_ASSESSED else "已作情况说明") + "，不作为扣分项"
        return explanation + tail, explanation
    if status == Status.DEDUCTED:
        total = _confirmed_amount(records)
        capped = f"，最高扣{fmt(col.cap)}分，扣{fmt(now)}分" if total > col.cap else ""
        explanation = f"已确认{len(confirmed)}条，扣{fmt(total)}分{capped}"
        return explanation + tail, explanation
    explanation = f"{text or '无'}，不扣分"
    return explanation + tail, explanation


def _item_texts(item, cells):
    return [(c, cells.get(c.id) or "") for c in item.columns]


def item_amounts(item, cells, records):
    """(status, deduction now, year-end deduction) of one item for a unit: what ranks it, without the words.

    `score_item` makes its Line from these very numbers, so a ranking from amounts and the lines agree.
    """
    if item.kind in (GROUP, RuleKind.EARN, RuleKind.LOSE):
        status = _state_item_status(_item_texts(item, cells))
        year_end = (item.points if item.is_group else item.columns[0].points) if status == Status.PENDING else ZERO
        return status, ZERO, year_end
    text = cells.get(item.columns[0].id) or ""
    if item.kind == RuleKind.PER_OCCURRENCE:
        return _occurrence_item_amounts(item, text, records)
    return _discretionary_item_amounts(item, text, records)


def score_item(item, cells, records):
    """The Line of one item for a unit: `cells` {indicator id: cell text}, `records` of its columns."""
    texts = _item_texts(item, cells)
    status, now, year_end = item_amounts(item, cells, records)
    if item.kind in (GROUP, RuleKind.EARN, RuleKind.LOSE):
        explanation, final = _state_item_words(item, texts, status)
    elif item.kind == RuleKind.PER_OCCURRENCE:
        explanation, final = _occurrence_item_words(item, texts[0][1], records, status, now, year_end)
    else:
        explanation, final = _discretionary_item_words(item, texts[0][1], records, status, now)
    cell_text = texts[0][1]
    if item.is_group:
        cell_text = "；".join(t or "（未填）" for _, t in texts)  # in the order of the title's columns
    return Line(
        key=item.key,
        title=item.title,
        kind=item.kind,
        rule=item.rule,
        note_number=item.note_number,
        note_text=item.note_text,
        cells=cell_text,
        points=item.points,
        deduction=now,
        year_end_deduction=year_end,
        status=status,
        explanation=explanation,
        final_explanation=final,
        records=list(records),
        wording="" if item.is_group else item.columns[0].wording,
    )


def records_by_item(rules, records):
    """(item, its records) for each item of `rules`, in order: `records` [Record] grouped by the item's columns."""
    by_column = defaultdict(list)
    for record in records:
        by_column[record.indicator_id].append(record)
    for item in rules.items:
        yield item, ([r for c in item.columns for r in by_column.get(c.id, ())] if by_column else ())


def score_unit(rules, unit_id, unit_name, cells, records=(), *, shared=None):
    """A unit's UnitScore under `rules`: `cells` {indicator id: "√"/"*"/"4"…}, `records` [Record].

    `shared`: a dict kept across the units of one scheme: an item without records is a function of its cells'
    texts, so its Line is made once per texts and shared by the units showing them (a Line is never changed).
    """
    lines = []
    for item, item_records in records_by_item(rules, records):
        if shared is None or item_records:
            lines.append(score_item(item, cells, item_records))
            continue
        key = (item.key, *(cells.get(c.id) for c in item.columns))
        line = shared.get(key)
        if line is None:
            line = shared[key] = score_item(item, cells, ())
        lines.append(line)
    return UnitScore.under(rules, unit_id, unit_name, lines=lines)


def rank(scores, key=lambda s: s.year_end_score):
    """Competition ranking (1, 2, 2, 4) by `key`, highest first; ties share a rank and are marked."""
    keys = {id(s): key(s) for s in scores}  # a score's key sums its lines: once per unit, not once per use
    ordered = sorted(scores, key=lambda s: -keys[id(s)])  # sorted() is stable: printed order among equals
    previous, current = None, 0
    for position, s in enumerate(ordered, start=1):
        value = keys[id(s)]
        if value != previous:
            current, previous = position, value
        s.rank = current
    counts = defaultdict(int)
    for s in ordered:
        counts[s.rank] += 1
    for s in ordered:
        s.tied = counts[s.rank] > 1
    return ordered
