"""The case lists' rows (the 奖惩案例 list and the office's review queue: cases/_case_table.html) written in Python.

A row holds a dozen values, which the template engine renders at some 10 µs each: 20 rows were a third of the
case list's time at 200,000 cases (issue 25: a page costs what it shows). The bytes are the template loop's
(tests/test_case_table.py keeps that loop and compares).
"""

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import CaseKind, CaseStatus

_KINDS = dict(CaseKind.choices)
_STATUSES = dict(CaseStatus.choices)


def submitted_text(value):
    """A submission time as the lists write it: local time to the minute, “—” before it is submitted."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value is not None else "—"


def case_rows_html(cases, link, *, selectable=False):
    """The <tr> of each case (Cases with the list's fields: views.LIST_FIELDS), as one safe string; "" for none.

    `link`: the case page (core.links.IdLink, one reversal a page). `selectable`: the review queue's check box, on
    the cases still pending review.
    """
    rows = []
    for case in cases:
        status, title = escape(case.status), escape(case.title)
        check = ""
        if selectable:
            disabled = "" if case.is_pending else " disabled"
            check = (
                f'<td><input type="checkbox" name="cases" value="{case.pk}" aria-label="选择 {title}"{disabled}></td>'
            )
        kind = escape(_KINDS.get(case.kind, case.kind))
        rows.append(
            f'\n      <tr class="status-{status}">\n        {check}\n'
            f'        <td class="case-title-cell"><a href="{link.prefix}{case.pk}{link.suffix}">{title}</a></td>\n'
            f"        <td>{kind}</td>\n"
            f"        <td>{escape(case.source_label)}</td>\n"
            f"        <td>{case.year}年{case.quarter}季度</td>\n"
            f'        <td><span class="status-badge status-{status}">{escape(_STATUSES.get(case.status, case.status))}'
            "</span></td>\n"
            f"        <td>{escape(submitted_text(case.submitted_at))}</td>\n"
            f"        <td>{'是' if case.for_bulletin else ''}</td>\n      </tr>\n    "
        )
    return mark_safe("".join(rows))  # noqa: S308  (every value above is escaped)
