"""Cron expressions (minute hour day-of-month month day-of-week), as cron(8) reads them.

A field is `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, or a comma list of those. Day of week
0–7 (0 and 7 are Sunday). When both day fields are restricted, a day matching either is a match.
"""

import datetime
from dataclasses import dataclass

from core.errors import DomainError

# (lowest, highest) of each field
BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
NAMES = ("分钟", "小时", "日", "月", "星期")
SYSTEMD_DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")


def _field(text, index):
    low, high = BOUNDS[index]
    values = set()
    for part in text.split(","):
        body, _, step = part.partition("/")
        try:
            step = int(step) if step else 1
            if body == "*":
                start, end = low, high
            elif "-" in body:
                start, end = (int(v) for v in body.split("-", 1))
            else:
                start = end = int(body)
        except ValueError:
            raise DomainError(f"定时表达式的{NAMES[index]}字段“{text}”无法识别。") from None
        if step < 1 or not low <= start <= end <= high:
            raise DomainError(f"定时表达式的{NAMES[index]}字段“{text}”超出范围（{low}–{high}）。")
        values.update(range(start, end + 1, step))
    if index == 4 and 7 in values:
        values = (values - {7}) | {0}
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    """A parsed cron expression; `text` is the expression as written."""

    text: str
    minutes: frozenset
    hours: frozenset
    days: frozenset
    months: frozenset
    weekdays: frozenset
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, text):
        fields = text.split()
        if len(fields) != 5:
            raise DomainError(f"定时表达式“{text}”应有 5 个字段（分 时 日 月 星期）。")
        parsed = [_field(f, i) for i, f in enumerate(fields)]
        return cls(text, *parsed, any_day=fields[2] == "*", any_weekday=fields[4] == "*")

    def day_matches(self, day):
        if day.month not in self.months:
            return False
        in_days = day.day in self.days
        in_weekdays = (day.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return in_days and in_weekdays
        return in_days or in_weekdays

    def matches(self, moment):
        return moment.minute in self.minutes and moment.hour in self.hours and self.day_matches(moment)

    def last_due(self, moment):
        """The latest time at or before `moment` (to the minute) that the expression names; None within a year."""
        moment = moment.replace(second=0, microsecond=0)
        for back in range(367):
            day = moment - datetime.timedelta(days=back)
            if not self.day_matches(day):
                continue
            for hour in sorted(self.hours, reverse=True):
                if back == 0 and hour > moment.hour:
                    continue
                for minute in sorted(self.minutes, reverse=True):
                    if back == 0 and hour == moment.hour and minute > moment.minute:
                        continue
                    return day.replace(hour=hour, minute=minute)
        return None

    def on_calendar(self):
        """systemd's OnCalendar= for the same times (steps and lists as systemd writes them)."""

        def spec(values, low, high, width=2):
            if values == frozenset(range(low, high + 1)):
                return "*"
            ordered = sorted(values)
            if len(ordered) > 2:
                step = ordered[1] - ordered[0]
                if ordered == list(range(ordered[0], high + 1, step)) and ordered[0] - step < low:
                    return f"{ordered[0]:0{width}d}/{step}"
            return ",".join(f"{v:0{width}d}" for v in ordered)

        if not (self.any_day or self.any_weekday):
            raise DomainError(f"定时表达式“{self.text}”同时限定了日和星期，无法写成 systemd 定时器。")
        weekdays = "" if self.any_weekday else ",".join(SYSTEMD_DAYS[d] for d in sorted(self.weekdays)) + " "
        date = f"*-{spec(self.months, 1, 12)}-{spec(self.days, 1, 31)}"
        return f"{weekdays}{date} {spec(self.hours, 0, 23)}:{spec(self.minutes, 0, 59)}:00"
