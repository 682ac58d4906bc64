"""Each year's schemes: the table of a category, its indicators (columns), its notes (说明) and its units."""

import re
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from core.text import contains_script, plain_paragraphs

from .. import derived
from .choices import DueRule, MarkState, RuleKind
from .units import Category, Unit
from .years import check_year_open, year_lock


def _model(name):
    # Models of this app that are defined in the modules importing this one (marks, scoring, requests):
    # looked up when a method runs, since importing them here would go round in a circle.
    return apps.get_model("assessment", name)


class Scheme(models.Model):
    """One category's assessment table for one year: indicators, notes and the units in it."""

    year = models.PositiveSmallIntegerField("年度", validators=[MinValueValidator(2000)])
    category = models.ForeignKey(Category, models.PROTECT, related_name="schemes", verbose_name="类别")
    units = models.ManyToManyField(Unit, through="SchemeUnit", related_name="schemes", verbose_name="参评单位")

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["-year", "category__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "category"],
                name="scheme_unique_year_category",
                violation_error_message="该类别在这一年度已有考核方案。",
            )
        ]

    def __str__(self):
        return f"{self.year}年 {self.category}"

    @property
    def full_points(self):
        """The points a unit starts from (deductive) or can reach (additive); see assessment.scoring."""
        from assessment.scoring.rules import rules_from_scheme

        return rules_from_scheme(self).full_points


# A header's points as printed when they are just the 分值: “(0.6分)” or “（3分）”.
PLAIN_POINTS_LABEL = re.compile(r"(?P<open>[(（])(?P<points>\d+(?:\.\d+)?)分(?P<close>[)）])")


def points_text(points):
    """2.50 → “2.5”, 3.00 → “3”: points as the bulletin prints them."""
    return format(Decimal(points).normalize(), "f")


class Indicator(models.Model):
    """A column of a progress table: header as printed, points, rule and allowed cell values."""

    scheme = models.ForeignKey(Scheme, models.CASCADE, related_name="indicators", verbose_name="考核方案")
    order = models.PositiveSmallIntegerField("顺序")
    title = models.CharField("表头", max_length=200)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2)
    points_label = models.CharField("分值（按通报）", max_length=50, help_text="如 (0.6分)、（3分）、(视情最高扣20分)")
    rule_kind = models.CharField("计分方式", max_length=20, choices=RuleKind.choices)
    rate = models.DecimalField(
        "每次扣分", max_digits=6, decimal_places=2, null=True, blank=True, help_text="按次扣分时每次扣的分"
    )
    cap = models.DecimalField(
        "最高扣分", max_digits=6, decimal_places=2, null=True, blank=True, help_text="按次或视情扣分的上限"
    )
    allowed_states = models.JSONField("可填内容", default=list, help_text="本列可填的标记，如 √、*、非考核项")
    accepts_count = models.BooleanField("可填数量", default=False, help_text="如奖惩案例列填报送的案例数")
    # Scoring (assessment.scoring): a column may be scored together with others under one note.
    rule_group = models.ForeignKey(
        "RuleGroup",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name="合并计分",
        help_text="与其他指标按同一条说明合并计分时选择",
    )
    in_full_points = models.BooleanField(
        "计入满分",
        default=True,
        help_text="分值是否计入满分；“视情最高扣20分”这类只扣分的列不计入",
    )
    # When the column is due (assessment.due): by a date, at each quarter's end, or by the year-end assessment.
    due_rule = models.CharField("截止规则", max_length=10, choices=DueRule.choices, default=DueRule.YEAR_END)
    due_date = models.DateField("截止日期", null=True, blank=True, help_text="截止规则为“限期完成”时填写")
    deduction_wording = models.CharField(
        "扣分情况写法",
        max_length=100,
        blank=True,
        help_text="扣分情况一栏的写法，{title} 为表头、{n} 为次数；"
        "空白时按次扣分写作“{title}未完成{n}次”，视情扣分写作“{title}”，后接“，扣X分”",
    )

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["scheme", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "order"],
                name="indicator_unique_order",
                violation_error_message="同一考核方案中指标顺序不能重复。",
            )
        ]

    def __str__(self):
        return f"{self.scheme} · {self.title}"

    @property
    def header(self):
        return f"{self.title} {self.points_label}"

    def follow_points(self, before):
        """分值 scores, 分值（按通报） is the header's printed words. When 分值 changes and the label printed the
        old 分值 plainly (“（2分）”, “(0.6分)”) and was left as it was, it prints the new one (“（2.5分）”);
        a label of its own (“(视情最高扣20分)”, a note's share of two columns) stays as the office wrote it."""
        if self.points == before.points or self.points_label != before.points_label:
            return
        plain = PLAIN_POINTS_LABEL.fullmatch(self.points_label.strip())
        if plain and Decimal(plain["points"]) == before.points:
            self.points_label = f"{plain['open']}{points_text(self.points)}分{plain['close']}"

    @property
    def is_derived(self):
        """Whether the column's numbers are counted from other records (assessment.derived), never typed."""
        return derived.is_derived(self)

    def clean(self):
        valid = set(MarkState.values)
        unknown = [s for s in self.allowed_states or [] if s not in valid]
        if unknown:
            raise ValidationError({"allowed_states": f"未知的标记：{'、'.join(unknown)}"})
        if not self.allowed_states and not self.accepts_count:
            raise ValidationError({"allowed_states": "至少要允许一种标记或数量。"})
        if self.rule_kind == RuleKind.PER_OCCURRENCE and (self.rate is None or self.cap is None):
            raise ValidationError({"rate": "按次扣分的指标需要填写每次扣分和最高扣分。"})
        if self.rule_kind == RuleKind.DISCRETIONARY and self.cap is None:
            raise ValidationError({"cap": "视情扣分的指标需要填写最高扣分。"})
        if self.rule_group_id:
            if self.rule_kind not in (RuleKind.EARN, RuleKind.LOSE):
                raise ValidationError({"rule_group": "只有“完成得分”或“未完成扣分”的指标可以合并计分。"})
            if self.scheme_id and self.rule_group.scheme_id != self.scheme_id:
                raise ValidationError({"rule_group": "合并计分的规则属于另一个考核方案。"})
        if self.due_rule == DueRule.DATE and self.due_date is None:
            raise ValidationError({"due_date": "截止规则为“限期完成”时需要填写截止日期。"})
        if self.due_rule != DueRule.DATE and self.due_date is not None:
            raise ValidationError({"due_date": "只有“限期完成”的指标填写截止日期。"})
        year = self.scheme.year if self.scheme_id else None
        if self.due_date is not None and year is not None and self.due_date.year not in (year, year + 1):
            raise ValidationError({"due_date": f"截止日期应在{self.scheme.year}年或次年年初。"})
        wording = self.deduction_wording.replace("{title}", "").replace("{n}", "")
        if "{" in wording or "}" in wording:
            raise ValidationError({"deduction_wording": "扣分情况写法中只能使用 {title} 和 {n}。"})
        if year is not None:
            check_year_open(year)  # a closed year's columns are locked with its marks
        if self.pk:
            self._check_marks_still_fit()

    def _check_marks_still_fit(self):
        """The column's allowed values must still hold every mark already entered in it (grid, import, admin)."""
        for mark in self.marks.select_related("unit").order_by("unit__order", "pk"):
            try:
                self.check_value(mark.state or None, mark.count)
            except ValidationError:
                raise ValidationError(
                    {
                        "allowed_states": f"“{self.title}”已有“{mark.display}”（{mark.unit}等），"
                        "新的可填内容不包括它：请先修改这些完成情况。"
                    }
                ) from None

    def initial_value(self):
        """(state, count) a new cell of this column starts with: * where allowed, else its first word (0 for counts)."""
        if MarkState.PENDING in self.allowed_states:
            return MarkState.PENDING, None
        if self.allowed_states:
            return self.allowed_states[0], None
        return "", 0

    def deletion_refusal(self):
        """Why the column cannot be removed, or None.

        Its cells may go with it only while each still holds the value it started with (nothing entered
        yet); deductions, changed due dates and units' requests are kept records.
        """
        lock = year_lock(self.scheme.year)
        if lock is not None:
            return f"{self.scheme.year}年度已完成年终考核（第{lock.version}版），考核数据已锁定，不能删除指标。"
        initial = self.initial_value()
        entered = [m for m in self.marks.select_related("unit") if (m.state, m.count) != initial or m.version > 1]
        if entered:
            return (
                f"“{self.title}”已有{len(entered)}家单位的完成情况（如{entered[0].unit}：{entered[0].display}），"
                "删除会丢失这些记录，不能删除。"
            )
        kept = {
            "扣分记录": self.deductions.count(),
            "截止日期调整": self.due_overrides.count(),
            "单位申请": _model("MarkRequest").objects.filter(mark__indicator=self).count(),
        }
        listed = "、".join(f"{name}{count}条" for name, count in kept.items() if count)
        if listed:
            return f"“{self.title}”还有{listed}，删除会丢失这些记录，不能删除。"
        return None

    def parse(self, text):
        """(state, count) for a cell as typed or printed: a word of the vocabulary, or digits for counts."""
        text = (str(text) if text is not None else "").strip()
        if not text:
            raise ValidationError(f"“{self.title}”一栏不能为空。")
        if text.isdigit():
            state, count = "", int(text)
        else:
            state, count = text, None
        self.check_value(state or None, count)
        return state, count

    def check_value(self, state, count):
        """Raise ValidationError unless (state, count) is a value this column allows."""
        if count is not None:
            if derived.is_derived(self):
                # Counted from other records (奖惩案例): no path may type a number in (assessment.derived).
                raise ValidationError(derived.derived_message(self))
            if not self.accepts_count:
                raise ValidationError(f"“{self.title}”一栏不能填数量，只能填：{'、'.join(self.allowed_states)}。")
            if count < 0:
                raise ValidationError("数量不能为负数。")
            return
        if state not in self.allowed_states:
            allowed = list(self.allowed_states) + (["数量"] if self.accepts_count else [])
            raise ValidationError(f"“{state}”不是“{self.title}”一栏可填的内容（可填：{'、'.join(allowed)}）。")


class Note(models.Model):
    """A numbered 说明 under a table; it may speak of one, two or none of the columns."""

    scheme = models.ForeignKey(Scheme, models.CASCADE, related_name="notes", verbose_name="考核方案")
    number = models.PositiveSmallIntegerField("序号")
    text = models.TextField("内容")
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="notes", verbose_name="涉及指标")

    class Meta:
        verbose_name = "说明"
        verbose_name_plural = "说明"
        ordering = ["scheme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "number"],
                name="note_unique_number",
                violation_error_message="同一考核方案中说明序号不能重复。",
            )
        ]

    def __str__(self):
        return f"{self.number}. {self.text[:30]}"

    def clean(self):
        # Plain text like every text typed into the portal: scripts refused, markup of a paste stripped.
        if contains_script(self.text):
            raise ValidationError({"text": "内容中含有脚本或网页代码，请删除后重新提交。"})
        self.text = plain_paragraphs(self.text)
        if not self.text:
            raise ValidationError({"text": "说明内容不能为空。"})
        if self.scheme_id:
            check_year_open(self.scheme.year)  # a closed year's notes are locked with its table

    def check_indicators(self, indicators):
        """A note speaks only of the columns of its own table."""
        foreign = [i for i in indicators if i.scheme_id != self.scheme_id]
        if foreign:
            raise ValidationError({"indicators": f"“{foreign[0].title}”不是{self.scheme}的考核指标。"})

    def deletion_refusal(self):
        """Why the note cannot be removed (its year is closed, or a rule scores columns under it), or None."""
        lock = year_lock(self.scheme.year)
        if lock is not None:
            return f"{self.scheme.year}年度已完成年终考核（第{lock.version}版），考核数据已锁定，不能删除说明。"
        groups = list(self.rule_groups.all())
        if groups:
            return (
                f"说明{self.number}是合并计分规则（{groups[0].points.normalize():f}分）的依据，不能删除："
                "请先在后台删除这条合并计分规则。"
            )
        return None


class SchemeUnit(models.Model):
    """A unit taking part in a year's scheme: its row, its place and its 扣分情况 text."""

    scheme = models.ForeignKey(Scheme, models.CASCADE, related_name="scheme_units", verbose_name="考核方案")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="scheme_units", verbose_name="责任单位")
    order = models.PositiveIntegerField("顺序", default=0)
    deduction_text = models.TextField("扣分情况", blank=True)

    class Meta:
        verbose_name = "参评单位"
        verbose_name_plural = "参评单位"
        ordering = ["scheme", "order", "pk"]
        # A table's rows in order: the grid's, the quarterly table's and the units index's pages of 100.
        indexes = [models.Index(fields=["scheme", "order", "id"], name="schemeunit_row_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "unit"],
                name="schemeunit_unique_unit",
                violation_error_message="该单位已在这一考核方案中。",
            )
        ]

    def __str__(self):
        return f"{self.scheme} · {self.unit}"

    def clean(self):
        if self.unit_id and self.scheme_id and self.unit.category_id != self.scheme.category_id:
            raise ValidationError({"unit": "单位的类别与考核方案的类别不一致。"})

    def withdrawal_refusal(self):
        """Why the unit cannot leave the scheme (what its row holds that would be lost), or None.

        Its cells may go with it only while each still holds the value it started with and has no history
        beyond its creation; deductions, changed due dates, units' requests, a written 扣分情况 and numbers
        counted from other records (奖惩案例, assessment.derived) are kept records.
        """
        scheme, unit = self.scheme, self.unit
        lock = year_lock(scheme.year)
        if lock is not None:
            return f"{scheme.year}年度已完成年终考核（第{lock.version}版），考核数据已锁定，不能移出单位。"
        indicators = list(scheme.indicators.order_by("order"))
        marks = list(
            _model("Mark")
            .objects.filter(unit=unit, indicator__scheme=scheme)
            .select_related("indicator")
            .order_by("indicator__order")
        )
        # A cell set back to its first value still has a past: more than its creation's history entry.
        entries = _model("Mark").history.filter(id__in=[m.pk for m in marks]).order_by().values_list("id")
        histories = dict(entries.annotate(n=models.Count("history_id")))
        entered = [
            m
            for m in marks
            if (m.state, m.count) != m.indicator.initial_value() or m.version > 1 or histories.get(m.pk, 0) > 1
        ]
        lost = []
        if entered:
            lost.append(f"{len(entered)}项完成情况（如“{entered[0].indicator.title}”：{entered[0].display}）")
        kept = {
            "扣分记录": _model("Deduction").objects.filter(unit=unit, indicator__scheme=scheme).count(),
            "截止日期调整": _model("DueOverride").objects.filter(unit=unit, indicator__scheme=scheme).count(),
            "单位申请": _model("MarkRequest").objects.filter(mark__unit=unit, mark__indicator__scheme=scheme).count(),
        }
        lost += [f"{name}{count}条" for name, count in kept.items() if count]
        if self.deduction_text.strip():
            lost.append("扣分情况的文字")
        for indicator in indicators:
            derivation = derived.derivation_for(indicator)
            if derivation is not None:
                count = derivation.counts(scheme.year, [indicator], unit_ids=[unit.pk]).get((unit.pk, indicator.pk))
                if count:
                    lost.append(f"“{indicator.title}”{count}个（{derivation.source}）")
        if lost:
            return f"“{unit}”在{scheme}中已有{'、'.join(lost)}，移出会丢失这些记录，不能移出本年度。"
        return None
