"""The HTML of scores shown in tables: a unit's breakdown (score_breakdown.html) and the ranking's rows (scores.html).

Made here, not by the template engine: the scores page shows 100 units, each with its summary and the lines
that cost something, which the engine rendered at ~0.3 ms a unit (two thirds of the page). The markup is the
one the templates printed, whitespace included (tests and the browser tests read it). Every text is escaped
(html.escape of a str: what django.utils.html.escape does, without its lazy-string wrapper, ~600 times a page);
numbers are printed by `fmt`.
"""

from html import escape

from django.utils.safestring import mark_safe

from .rules import fmt


def minus(value):
    """A deduction as printed in a table: −0.3, or an empty cell for none."""
    return f"−{fmt(value)}" if value else ""


def _summary(score):
    rank = f"（{escape(score.category)}{escape(score.rank_label)}）" if score.rank else ""
    if score.frozen:
        text = score.deduction_text
        said = f'<br><span class="label">扣分情况：</span><span class="deduction-text">{escape(text)}</span>'
        said = said if text else ""
        return (
            "\n      "
            f"满分 <b>{fmt(score.full_points)}</b> 分，扣分 <b>{fmt(score.deduction)}</b> 分，"
            f'得分 <b class="score-final">{fmt(score.score)}</b> 分{rank}。\n'
            f"      {said}\n    "
        )
    return (
        "\n      "
        f"满分 <b>{fmt(score.full_points)}</b> 分；已确认扣分 <b>{fmt(score.deduction)}</b> 分，"
        f"当前得分 <b>{fmt(score.score)}</b> 分；\n"
        f"      若今日年终考核：扣 <b>{fmt(score.year_end_deduction)}</b> 分，"
        f'得 <b class="score-final">{fmt(score.year_end_score)}</b> 分{rank}。\n    '
    )


def _record(r):
    by = f"（{escape(r.entered_by)}录入）" if r.entered_by else ""
    waiting = "" if r.confirmed else ' <span class="status status-pending">待确认</span>'
    item = f"{escape(r.date)} {escape(r.what)} {escape(r.reason)}{by}{waiting}"
    return f"\n                  <li>{item}</li>\n                "


def _line(line, frozen):
    status = escape(line.status)
    year_end = "" if frozen else f'<td class="num">{minus(line.year_end_deduction)}</td>'
    records = ""
    if line.records:
        records = (
            '\n              <ul class="records">\n                '
            + "".join(_record(r) for r in line.records)
            + "\n              </ul>\n            "
        )
    note = f"说明{line.note_number}：{escape(line.note_text)}" if line.note_number else ""
    return (
        f'\n        <tr class="line-{status}">\n'
        f'          <th scope="row">{escape(line.title)}</th>\n'
        f'          <td class="cells">{escape(line.cells or "—")}</td>\n'
        f'          <td class="rule">{escape(line.rule)}</td>\n'
        f'          <td class="num">{fmt(line.points)}</td>\n'
        f'          <td class="num">{minus(line.deduction)}</td>\n'
        f"          {year_end}\n"
        '          <td class="explanation">\n'
        f'            <span class="status status-{status}">{escape(line.status_label)}</span> '
        f"{escape(line.explanation)}\n"
        f"            {records}\n"
        "          </td>\n"
        f'          <td class="note">{note}</td>\n'
        "        </tr>\n      "
    )


_YEAR_END_HEAD = '<th scope="col">若今日年终考核扣分</th>'


def _lines_table(lines, frozen):
    if not lines:
        return '\n  <p class="no-deduction">没有扣分，也没有待定的“*”。</p>\n  '
    head = (
        '\n  <div class="table-scroll" tabindex="0" role="region" aria-label="得分明细，可左右滚动">\n'
        '  <table class="breakdown-table">\n'
        "    <thead>\n"
        "      <tr>\n"
        '        <th scope="col">考核项目</th>\n'
        '        <th scope="col">完成情况</th>\n'
        '        <th scope="col">计分规则</th>\n'
        '        <th scope="col">分值</th>\n'
        f'        <th scope="col">{"扣分" if frozen else "已确认扣分"}</th>\n'
        f"        {'' if frozen else _YEAR_END_HEAD}\n"
        '        <th scope="col">计分说明</th>\n'
        '        <th scope="col">依据</th>\n'
        "      </tr>\n"
        "    </thead>\n"
        "    <tbody>\n      "
    )
    rows = "".join(_line(line, frozen) for line in lines)
    return f"{head}{rows}\n    </tbody>\n  </table>\n  </div>\n  "


def breakdown_html(score, *, compact=False, unit_url_prefix=None):
    """One unit's breakdown: its summary and its lines (`compact`: only those that cost something).

    `unit_url_prefix` (the scores page: a unit's score page is this + its id + "/"): the breakdown is folded
    in a <details> headed by the unit's name and score, with a link to its page.
    """
    lines = score.deduction_lines if compact else score.lines
    unit_id = score.unit_id
    opened = closed = ""
    if unit_url_prefix is not None:
        shown = fmt(score.score if score.frozen else score.year_end_score)
        opened = (
            f'<details class="unit-breakdown" id="breakdown-{unit_id}">\n'
            f"  <summary>{escape(score.unit_name)} · {shown} 分（{escape(score.rank_label)}）</summary>\n"
        )
        closed = f'  <p class="unit-link"><a href="{escape(unit_url_prefix)}{unit_id}/">全部各项</a></p>\n</details>'
    return (
        f"\n{opened}\n"
        f'<div class="score-breakdown" id="score-{unit_id}">\n'
        '  <p class="score-summary">\n'
        f"    {_summary(score)}\n"
        "  </p>\n"
        f"  \n  {_lines_table(lines, score.frozen)}\n"
        "</div>\n"
        f"{closed}\n"
    )


def breakdowns_html(scores, *, compact=False, unit_url_prefix=None):
    """breakdown_html of each of `scores`, as one safe string."""
    parts = "".join(breakdown_html(s, compact=compact, unit_url_prefix=unit_url_prefix) for s in scores)
    return mark_safe(parts)  # noqa: S308 — every text above is escaped, every number printed by fmt


def ranking_rows_html(rows, *, frozen):
    """The <tr> of each unit of a category's ranking table (scores.html), as one safe string."""
    parts = []
    for u in rows:
        rank = f"并列{u.rank}" if u.tied else f"{u.rank}"
        if frozen:
            cells = (
                f'                <td class="num">{minus(u.deduction)}</td>\n'
                f'                <td class="num score-final">{fmt(u.score)}</td>\n'
                f'                <td class="deduction-col">{escape(u.deduction_text)}</td>\n'
            )
        else:
            cells = (
                f'                <td class="num">{minus(u.deduction)}</td>\n'
                f'                <td class="num">{fmt(u.score)}</td>\n'
                f'                <td class="num">{minus(u.pending)}</td>\n'
                f'                <td class="num score-final">{fmt(u.year_end_score)}</td>\n'
            )
        parts.append(
            "\n            <tr>\n"
            f'              <td class="rank">{rank}</td>\n'
            f'              <th scope="row"><a href="#breakdown-{u.unit_id}">{escape(u.unit_name)}</a></th>\n'
            f'              <td class="num">{fmt(u.full_points)}</td>\n'
            f"              \n{cells}              \n"
            "            </tr>\n          "
        )
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped, every number printed by fmt
