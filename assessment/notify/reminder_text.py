"""A reminder's words: one message per unit, its items by stage with their dates, in text and markdown."""

from core.office.models import get_office

from .links import absolute_reverse
from .models import Stage

# Sections of a message, most pressing first.
STAGE_ORDER = [Stage.YEAR_END, Stage.OVERDUE, Stage.DUE_SOON, Stage.PENDING]
STAGE_HEADINGS = {
    Stage.YEAR_END: "年度已结束，以下事项仍未完成，请提交年终情况说明（因客观原因无法完成的，说明后不作扣分）：",
    Stage.OVERDUE: "已逾期：",
    Stage.DUE_SOON: "即将到期：",
    Stage.PENDING: "以下事项目前仍标记为“*”（未完成）：",
}


def _due_text(item, today):
    if item.due is None or item.stage == Stage.YEAR_END:  # the year is over: no days are counted
        return ""
    days = (item.due - today).days
    if days < 0:
        return f"（截止 {item.due:%Y-%m-%d}，已逾期 {-days} 天）"
    if days == 0:
        return f"（截止 {item.due:%Y-%m-%d}，今天到期）"
    return f"（截止 {item.due:%Y-%m-%d}，还有 {days} 天）"


def _sections(unit_plan):
    for stage in STAGE_ORDER:
        items = [i for i in unit_plan.items if i.stage == stage]
        if items:
            yield stage, items


def compose(unit_plan, *, year=None, today, message="", receipt_link="", single=False):
    """One message for a unit: the office's message if any, its items by stage with their dates, what to do,
    a link to its page and its personal 签收 link."""
    unit, link = unit_plan.unit, absolute_reverse("units:detail", unit_plan.unit.pk)
    year_text = f"{year}年度" if year else ""
    office = get_office()
    what = "催办" if single else "提醒"
    title = office.mail_subject(f"{year_text}信用体系建设考核未完成事项{what}（{unit.name}）")
    lines = [f"{unit.name}：", "", f"贵单位{year_text}信用体系建设考核中有以下事项需要办理。"]
    md = [f"### {office.mail_subject(f'{year_text}考核事项{what}')}", f"**{unit.name}**"]
    if message:
        lines += ["", f"{office.message_label}：{message}"]
        md += ["", f"> {office.message_label}：{message}"]
    number = 0
    for stage, items in _sections(unit_plan):
        lines += ["", STAGE_HEADINGS[stage]]
        md += ["", f"**{STAGE_HEADINGS[stage]}**"]
        for item in items:
            number += 1
            note = f"（{item.note}）" if item.note else ""
            lines.append(f"{number}. {item.title}{_due_text(item, today)}{note}")
            md.append(f"{number}. {item.title}{_due_text(item, today)}{note}")
    lines += [
        "",
        "请抓紧完成“*”对应的考核事项；完成后可在门户“本单位”页面报告已完成并附证明材料。"
        "因规定未明确等客观原因导致工作落实存在困难的，请提交情况说明，不作为扣分项。",
        "",
        f"本单位页面：{link}",
    ]
    if receipt_link:
        lines += ["", f"收到后请打开以下链接签收（需登录本单位填报账号）：{receipt_link}"]
    lines += ["", office.signature]
    md += ["", f"[打开本单位页面]({link})"]
    if receipt_link:
        md += [f"[签收本提醒]({receipt_link})"]
    return title, "\n".join(lines), "\n".join(md)
