"""The assessment as data: categories, units, each year's schemes and the marks.

Nothing here names a particular indicator, point value or unit: the office keeps
all of that in the database, so a new year needs no deployment.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from . import derived
from .text import contains_script, plain_paragraphs


class MarkState(models.TextChoices):
    """The words a progress-table cell can hold, exactly as printed (the one vocabulary)."""

    DONE = "√", "√（已完成）"
    PENDING = "*", "*（未完成）"
    NOT_ASSESSED = "非考核项", "非考核项"
    EXPLAINED = "已说明", "已说明"
    EXPLAINED_FULL = "已说明情况", "已说明情况"
    NONE = "无", "无"


# States that are not deducted at year end (the closing note of every table).
EXPLAINED_STATES = frozenset({MarkState.EXPLAINED, MarkState.EXPLAINED_FULL})
# States that exempt the unit from the item altogether (“不作为扣分项”): not assessed, or explained.
EXEMPT_STATES = frozenset({MarkState.NOT_ASSESSED, *EXPLAINED_STATES})


class RuleKind(models.TextChoices):
    """How an indicator's points count (the notes under each table say which)."""

    EARN = "earn", "完成得分"
    LOSE = "lose", "未完成扣分"
    PER_OCCURRENCE = "per_occurrence", "按次扣分，扣满为止"
    DISCRETIONARY = "discretionary", "视情扣分，最高扣至上限"


class DueRule(models.TextChoices):
    """When an indicator is due (the notes say: cases every quarter, the rest by the year-end assessment)."""

    DATE = "date", "限期完成（截止日期）"
    QUARTERLY = "quarterly", "每季度末"
    YEAR_END = "year_end", "年终考核前"


class Category(models.Model):
    """A kind of assessed unit with its own table: 区镇, 城市管理办事处, 部门."""

    name = models.CharField("名称", max_length=50, unique=True)
    slug = models.SlugField("标识", max_length=30, unique=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "单位类别"
        verbose_name_plural = "单位类别"
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class Unit(models.Model):
    """An assessed unit (责任单位). Which year it takes part in is its SchemeUnit rows."""

    name = models.CharField("名称（按通报）", max_length=100)
    full_name = models.CharField("全称", max_length=200, blank=True)
    category = models.ForeignKey(Category, models.PROTECT, related_name="units", verbose_name="类别")
    order = models.PositiveIntegerField("顺序", default=0)
    is_active = models.BooleanField("参加考核", default=True)

    class Meta:
        verbose_name = "责任单位"
        verbose_name_plural = "责任单位"
        ordering = ["category__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                name="unit_unique_name",
                violation_error_message="已有同名的责任单位。",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # A unit's rows in past and current tables sit under its category: it cannot move once enrolled.
        if self.pk and self.category_id:
            before = Unit.objects.filter(pk=self.pk).values_list("category_id", flat=True).first()
            if before is not None and before != self.category_id and self.scheme_units.exists():
                raise ValidationError({"category": "该单位已参加考核方案，不能更改类别。"})

    def deletion_refusal(self):
        """Why the unit cannot be deleted (what would be lost with it), or None when nothing refers to it."""
        return _deletion_refusal(self, "如不再参加考核，请改为停用。")


def _deletion_refusal(obj, advice):
    """Whatever rows of any app still refer to `obj` (kept or deleted with it), named in Chinese, as a refusal.

    Asks Django's deletion collector, so a relation added later by another app (cases, notify) counts
    too, without this layer importing it.
    """
    from django.db import router
    from django.db.models.deletion import Collector, ProtectedError, RestrictedError

    collector = Collector(using=router.db_for_write(type(obj)))
    found = {}
    try:
        collector.collect([obj])
    except (ProtectedError, RestrictedError) as exc:
        blocking = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
        for row in blocking:
            found[row._meta.verbose_name] = found.get(row._meta.verbose_name, 0) + 1
    else:
        for model, rows in collector.data.items():
            others = [r for r in rows if r is not obj and not (model is type(obj) and r.pk == obj.pk)]
            if others:
                found[model._meta.verbose_name] = found.get(model._meta.verbose_name, 0) + len(others)
        for queryset in collector.fast_deletes:
            count = queryset.count()
            if count and queryset.model is not type(obj):
                name = queryset.model._meta.verbose_name
                found[name] = found.get(name, 0) + count
    if not found:
        return None
    listed = "、".join(f"{name}{count}条" for name, count in found.items())
    return f"“{obj}”还有{listed}，删除会丢失这些记录，不能删除。{advice}"


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
            "单位申请": MarkRequest.objects.filter(mark__indicator=self).count(),
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
            Mark.objects.filter(unit=unit, indicator__scheme=scheme)
            .select_related("indicator")
            .order_by("indicator__order")
        )
        # A cell set back to its first value still has a past: more than its creation's history entry.
        entries = Mark.history.filter(id__in=[m.pk for m in marks]).order_by().values_list("id")
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
            "扣分记录": Deduction.objects.filter(unit=unit, indicator__scheme=scheme).count(),
            "截止日期调整": DueOverride.objects.filter(unit=unit, indicator__scheme=scheme).count(),
            "单位申请": MarkRequest.objects.filter(mark__unit=unit, mark__indicator__scheme=scheme).count(),
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


class ChangeBatch(models.Model):
    """Several mark changes made at once (a bulk set, an import): undone together."""

    how = models.CharField("方式", max_length=20)
    description = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="操作人")
    undone_at = models.DateTimeField("撤销时间", null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="撤销人"
    )
    undo_of = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="undone_by_batch", verbose_name="撤销的批次"
    )

    class Meta:
        verbose_name = "批量修改"
        verbose_name_plural = "批量修改"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.how} {self.description}"


class MarkHistoryBase(models.Model):
    """Extra columns of every history entry of a mark: the batch it belonged to, if any."""

    batch = models.ForeignKey(
        ChangeBatch, models.PROTECT, null=True, blank=True, related_name="entries", verbose_name="批次"
    )

    class Meta:
        abstract = True


class Mark(models.Model):
    """One cell: a unit's completion status of one indicator in the indicator's year."""

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="marks", verbose_name="责任单位")
    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="marks", verbose_name="考核指标")
    state = models.CharField("标记", max_length=10, choices=MarkState.choices, blank=True)
    count = models.PositiveIntegerField("数量", null=True, blank=True)
    # Bumped on every save: the entry grid refuses a save made against an older version.
    version = models.PositiveIntegerField("版本", default=1)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="修改人"
    )
    # Who changed what, when, old → new; history_change_reason says how (see services.HOW).
    history = HistoricalRecords(
        excluded_fields=["updated_at"], bases=[MarkHistoryBase], verbose_name="完成情况修改记录"
    )

    class Meta:
        verbose_name = "完成情况"
        verbose_name_plural = "完成情况"
        ordering = ["indicator__scheme", "indicator__order", "unit__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "indicator"],
                name="mark_unique_cell",
                violation_error_message="该单位的这一指标已有完成情况。",
            ),
            models.CheckConstraint(
                condition=(Q(count__isnull=True) & ~Q(state="")) | (Q(count__isnull=False) & Q(state="")),
                name="mark_state_xor_count",
                violation_error_message="完成情况只能是一个标记或一个数量。",
            ),
        ]

    def __str__(self):
        return f"{self.unit} · {self.indicator.title}: {self.display}"

    def save(self, *args, **kwargs):
        # Marks are validated in the model, whoever writes them (grid, import, admin, shell).
        self.full_clean()
        super().save(*args, **kwargs)

    @property
    def display(self):
        return str(self.count) if self.count is not None else self.state

    def clean(self):
        if not self.indicator_id:
            return
        if (self.count is None) == (not self.state):
            raise ValidationError("完成情况只能是一个标记或一个数量。")
        check_year_open(self.indicator.scheme.year)
        self.indicator.check_value(self.state or None, self.count)
        if (
            self.unit_id
            and not SchemeUnit.objects.filter(scheme_id=self.indicator.scheme_id, unit_id=self.unit_id).exists()
        ):
            raise ValidationError({"unit": f"“{self.unit}”不在{self.indicator.scheme}的参评单位中。"})


class DueOverride(models.Model):
    """Another due date for one unit × indicator, set by the office with a reason (assessment.due)."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="due_overrides", verbose_name="责任单位")
    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="due_overrides", verbose_name="考核指标")
    date = models.DateField("截止日期")
    reason = models.TextField("调整原因")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="调整人"
    )
    set_at = models.DateTimeField("调整时间", auto_now=True)

    class Meta:
        verbose_name = "截止日期调整"
        verbose_name_plural = "截止日期调整"
        ordering = ["indicator__scheme", "indicator__order", "unit__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "indicator"],
                name="dueoverride_unique_cell",
                violation_error_message="该单位的这一指标已有调整后的截止日期。",
            )
        ]

    def __str__(self):
        return f"{self.unit} · {self.indicator.title}：{self.date:%Y-%m-%d}"

    def clean(self):
        if not self.reason.strip():
            raise ValidationError({"reason": "请填写调整截止日期的原因。"})
        if not self.indicator_id:
            return
        year = self.indicator.scheme.year
        if self.date and self.date.year not in (year, year + 1):
            raise ValidationError({"date": f"截止日期应在{year}年或次年年初。"})
        enrolled = SchemeUnit.objects.filter(scheme_id=self.indicator.scheme_id, unit_id=self.unit_id)
        if self.unit_id and not enrolled.exists():
            raise ValidationError({"unit": f"“{self.unit}”不在{self.indicator.scheme}的参评单位中。"})


class Reporter(models.Model):
    """Links a reporter's account to the one unit it reports for (the role itself is a group)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="reporter", verbose_name="账号")
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="reporters", verbose_name="责任单位")

    class Meta:
        verbose_name = "单位填报账号"
        verbose_name_plural = "单位填报账号"
        ordering = ["unit__order", "user__username"]

    def __str__(self):
        return f"{self.user} → {self.unit}"


# --- scoring: rule groups, recorded deductions, the year-end assessment (assessment.scoring)


class RuleGroup(models.Model):
    """Columns that one note scores together, with the note's points (部门 notes 1 and 3).

    The group's points stand in the full score instead of its columns' own points. At the
    year-end assessment the group loses all its points if any of its assessed columns is still
    “*” without an accepted explanation; √, 非考核项 and 已说明 cost nothing (assessment.scoring).
    """

    scheme = models.ForeignKey(Scheme, models.CASCADE, related_name="rule_groups", verbose_name="考核方案")
    note = models.ForeignKey(Note, models.RESTRICT, related_name="rule_groups", verbose_name="说明")
    points = models.DecimalField(
        "分值", max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))], help_text="如 0.3"
    )

    class Meta:
        verbose_name = "合并计分规则"
        verbose_name_plural = "合并计分规则"
        ordering = ["scheme", "note__number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "note"],
                name="rulegroup_unique_note",
                violation_error_message="这条说明已有合并计分规则。",
            )
        ]

    def __str__(self):
        return f"{self.scheme} 说明{self.note.number}（{self.points.normalize():f}分）"

    def clean(self):
        if self.note_id and self.scheme_id and self.note.scheme_id != self.scheme_id:
            raise ValidationError({"note": "说明属于另一个考核方案。"})


class Deduction(models.Model):
    """A recorded deduction: missed occurrences of a per-occurrence rule, or a serious credit event.

    Entered by office staff with date, count (per-occurrence) or amount (discretionary) and
    reason; it counts in scores and in the 扣分情况 column only once confirmed.
    """

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="deductions", verbose_name="责任单位")
    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="deductions", verbose_name="考核指标")
    date = models.DateField("日期")
    count = models.PositiveIntegerField("次数", null=True, blank=True, help_text="按次扣分：未完成的次数")
    amount = models.DecimalField(
        "扣分", max_digits=6, decimal_places=2, null=True, blank=True, help_text="视情扣分：扣的分，不超过上限"
    )
    reason = models.TextField("事由")
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="录入人")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="确认人"
    )

    class Meta:
        verbose_name = "扣分记录"
        verbose_name_plural = "扣分记录"
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(count__isnull=False) & Q(count__gte=1) & Q(amount__isnull=True))
                | (Q(count__isnull=True) & Q(amount__isnull=False) & Q(amount__gt=0)),
                name="deduction_count_xor_amount",
                violation_error_message="扣分记录要么填次数（至少1次），要么填扣分（大于0）。",
            ),
        ]

    def __str__(self):
        what = f"{self.count}次" if self.count is not None else f"{self.amount}分"
        return f"{self.unit} · {self.indicator.title} · {what}"

    @property
    def confirmed(self):
        return self.confirmed_at is not None

    def clean(self):
        if not self.indicator_id:
            return
        indicator = self.indicator
        if indicator.rule_kind == RuleKind.PER_OCCURRENCE:
            if self.count is None or self.count < 1:
                raise ValidationError({"count": "按次扣分的记录需要填写次数（至少1次）。"})
            if self.amount is not None:
                raise ValidationError({"amount": "按次扣分的记录按次数计分，不填扣分。"})
        elif indicator.rule_kind == RuleKind.DISCRETIONARY:
            if self.amount is None or self.amount <= 0:
                raise ValidationError({"amount": "视情扣分的记录需要填写扣分（大于0）。"})
            if indicator.cap is not None and self.amount > indicator.cap:
                raise ValidationError({"amount": f"扣分不能超过本项上限{indicator.cap.normalize():f}分。"})
            if self.count is not None:
                raise ValidationError({"count": "视情扣分的记录填扣分，不填次数。"})
        else:
            raise ValidationError({"indicator": f"“{indicator.title}”按完成情况计分，不能记录扣分。"})
        if self.date and self.date.year != indicator.scheme.year:
            raise ValidationError({"date": f"日期应在{indicator.scheme.year}年内。"})
        check_year_open(indicator.scheme.year)
        if self.unit_id and not SchemeUnit.objects.filter(scheme_id=indicator.scheme_id, unit_id=self.unit_id).exists():
            raise ValidationError({"unit": f"“{self.unit}”不在{indicator.scheme}的参评单位中。"})


class YearEndAssessment(models.Model):
    """The frozen result of closing a year: every unit's score and lines, as one numbered version.

    A re-close after a correction makes the next version with a reason; earlier versions stay.
    """

    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveSmallIntegerField("版本")
    closed_at = models.DateTimeField("考核时间", auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="操作人")
    reason = models.TextField("更正原因", blank=True)
    results = models.JSONField("考核结果", help_text="各类别、各单位的得分及每一条计分")
    # A closed year is locked until staff reopen it with a reason; closing again makes the next version.
    reopened_at = models.DateTimeField("重新开放时间", null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="重新开放人"
    )
    reopen_reason = models.TextField("重新开放原因", blank=True)

    class Meta:
        verbose_name = "年终考核结果"
        verbose_name_plural = "年终考核结果"
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "version"],
                name="yearend_unique_version",
                violation_error_message="这一年度已有该版本的年终考核结果。",
            )
        ]

    def __str__(self):
        return f"{self.year}年年终考核（第{self.version}版）"

    @property
    def locks_year(self):
        return self.reopened_at is None


def year_lock(year):
    """The year-end assessment that locks `year` (its latest version, not reopened), or None."""
    latest = YearEndAssessment.objects.filter(year=year).order_by("-version").only("version", "reopened_at").first()
    return latest if latest is not None and latest.locks_year else None


def check_year_open(year):
    """Raise ValidationError if `year` is closed: its marks and deduction records refuse every change."""
    lock = year_lock(year)
    if lock is not None:
        raise ValidationError(
            f"{year}年度已完成年终考核（第{lock.version}版），考核数据已锁定；"
            "如需更正，请市信用办先在年终考核页面填写原因重新开放该年度。"
        )


# --- imports and unit requests (assessment.imports, assessment.requests.services)


class ImportKind(models.TextChoices):
    MARKS = "marks", "完成情况"
    SCHEMES = "schemes", "考核方案"
    UNITS = "units", "责任单位"


class ImportSession(models.Model):
    """An uploaded workbook between preview and confirm: the parsed changes, never the file itself.

    Owned by the user who uploaded it and confirmed at most once; marks carry the version seen
    at preview, so a cell changed in between refuses the whole import.
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", "待确认"
        DONE = "done", "已导入"
        REFUSED = "refused", "未导入"

    token = models.UUIDField("编号", unique=True, editable=False)
    kind = models.CharField("内容", max_length=10, choices=ImportKind.choices)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    file_name = models.CharField("文件名", max_length=255)
    payload = models.JSONField("解析结果", default=dict)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PREVIEW)
    message = models.CharField("结果", max_length=500, blank=True)
    batch = models.ForeignKey(
        ChangeBatch, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="批次"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name="上传人")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "Excel导入"
        verbose_name_plural = "Excel导入"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def errors(self):
        return self.payload.get("errors", [])

    @property
    def changes(self):
        return self.payload.get("changes", [])


class MarkRequest(models.Model):
    """A unit's request about an item marked *: reported done, or a 情况说明; staff accept or return it."""

    class Kind(models.TextChoices):
        DONE = "done", "报告已完成"
        EXPLAINED = "explained", "情况说明"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待审核"
        ACCEPTED = "accepted", "已通过"
        RETURNED = "returned", "已退回"

    mark = models.ForeignKey(Mark, models.CASCADE, related_name="requests", verbose_name="完成情况")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    text = models.TextField("内容")
    attachment = models.FileField("证明材料", upload_to="mark_requests/%Y/%m/", blank=True)
    attachment_name = models.CharField("附件原名", max_length=255, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    reason = models.TextField("退回理由", blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="提交人")
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="审核人"
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = "单位申请"
        verbose_name_plural = "单位申请"
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mark"],
                condition=Q(status="submitted"),
                name="markrequest_one_open_per_mark",
                violation_error_message="该项目已有待审核的申请，请等待市信用办审核。",
            )
        ]

    def __str__(self):
        return f"{self.mark.unit} · {self.mark.indicator.title}：{self.get_kind_display()}"

    @property
    def is_open(self):
        return self.status == self.Status.SUBMITTED


from .office import Office  # noqa: E402, F401  (the office's identity, a model of this app)
