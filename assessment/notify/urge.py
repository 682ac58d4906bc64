"""催办 of one unit: the office picks some of the unit's open items, adds a message if it likes, and sends it
to that unit only (with its 签收 link); the batch for every unit stays `/units/reminders/`."""

from assessment import years
from core.errors import DomainError
from core.text import contains_script, plain_paragraphs

from .reminder_kinds import open_items
from .reminders import plan, send_unit_reminders

MAX_MESSAGE = 500


def unit_items(unit, year=None):
    """The unit's open items of the current year, in the printed order."""
    year = year or years.current_year()
    if year is None:
        return []
    return [item for item in open_items(year) if item.unit.pk == unit.pk]


def urge_unit(unit, user, cells, message=""):
    """Send a 催办 of the chosen items (`cells`, their references) to one unit; returns the run (deferred:
    `send_queued` delivers it)."""
    message = plain_paragraphs(message or "")
    if len(message) > MAX_MESSAGE:
        raise DomainError(f"留言不能超过 {MAX_MESSAGE} 字。")
    if contains_script(message):
        raise DomainError("留言中含有脚本或网页代码，请删除后重新填写。")
    chosen = set(cells)
    items = [item for item in unit_items(unit) if item.cell in chosen]
    if not items:
        raise DomainError("请至少选择一项需要催办的事项。")
    if not plan(items, force=True)[0].reached:
        raise DomainError(f"{unit.name}没有填报账号邮箱，也没有群机器人，催办无法送达；请先在“联系方式”中设置。")
    run = send_unit_reminders(
        items,
        year=years.current_year(),
        sent_by=user,
        force=True,
        defer=True,
        message=message,
        single=True,
    )
    return run
