"""The scheme workbook's sheets as import-export Resources, their columns read from `assessment.scheme_fields`.

One sheet per part of a scheme: 考核指标 (with the columns of registered parts such as 每季度应报案例数),
说明, 合并计分, 参评单位 and 截止日期调整. Each value column is made from the declared model field
(`column`): its header is the field's verbose name and its widget follows the field's type, so a field
declared later appears in the workbook by itself, or the workbook refuses to build until it has a way to
travel. Links between rows are written in the office's words: a column by its order, a note by its
number, a unit by its printed name.
"""

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from import_export import fields, widgets

from assessment.marks.services import HOW, start_cells
from assessment.models import DueOverride, DueRule, Indicator, Note, RuleGroup, RuleKind, SchemeUnit, Unit
from assessment.scheme_fields import (
    DUE_OVERRIDE,
    INDICATOR,
    NOTE,
    RULE_GROUP,
    SCHEME_UNIT,
    accessor,
    extension_row,
    indicator_extensions,
)

from .resources import (
    CATEGORY,
    LIST_SEPARATOR,
    DayWidget,
    DecimalWidget,
    DueRuleWidget,
    FlagWidget,
    IntegerWidget,
    NoteIndicatorsWidget,
    OfficeResource,
    RuleKindWidget,
    SchemeWidget,
    StatesWidget,
    TextWidget,
    as_text,
    split_list,
)

ORDERS = "涉及指标"


def _widget(part, model_field, shift):
    label = str(model_field.verbose_name)
    if model_field.choices:
        if model_field.choices == RuleKind.choices:
            return RuleKindWidget()
        if model_field.choices == DueRule.choices:
            return DueRuleWidget()
    elif isinstance(model_field, models.JSONField) and model_field.name == "allowed_states":
        return StatesWidget()
    elif isinstance(model_field, models.DecimalField):
        return DecimalWidget(label, required=not model_field.null)
    elif isinstance(model_field, models.BooleanField):
        return FlagWidget(label)
    elif isinstance(model_field, models.DateField) and not isinstance(model_field, models.DateTimeField):
        return DayWidget(label, shift=shift)
    elif isinstance(model_field, models.IntegerField):
        return IntegerWidget(label, required=not model_field.null)
    elif isinstance(model_field, (models.CharField, models.TextField)):
        return TextWidget()
    raise ImproperlyConfigured(
        f"{part.label}的“{label}”在考核方案工作簿中还没有写法：请在 assessment.imports.scheme_resources 中补上。"
    )


def column(part, name, shift=0):
    """The workbook column of a declared value field: header its verbose name, widget by its type."""
    model_field = part.model_field(name)
    return fields.Field(
        name, str(model_field.verbose_name), widget=_widget(part, model_field, shift), saves_null_values=True
    )


class PartField(fields.Field):
    """A field of a registered part (one row per indicator), carried as a column of the indicator's row."""

    def __init__(self, part, name):
        model_field = part.model_field(name)
        super().__init__(
            attribute=f"kc_{accessor(part)}_{name}",
            column_name=str(model_field.verbose_name),
            widget=IntegerWidget(str(model_field.verbose_name), required=False)
            if isinstance(model_field, models.IntegerField)
            else _widget(part, model_field, 0),
            saves_null_values=True,
        )
        self.part, self.name = part, name

    def get_value(self, instance):
        if self.attribute in instance.__dict__:
            return instance.__dict__[self.attribute]
        row = extension_row(self.part, instance) if instance.pk else None
        return getattr(row, self.name) if row is not None else None


class SchemePartResource(OfficeResource):
    """A sheet of one part of a year's scheme: a 类别 column, then the part's declared value columns."""

    part = None
    links = ()  # declared fields that link to other rows: a column each, made by the subclass

    def __init__(self, year, shift=0, user=None, **kwargs):
        super().__init__(**kwargs)
        self.year, self.user, self.notes = year, user, []
        self.scheme_widget = SchemeWidget(year)
        self.fields["scheme"].widget = self.scheme_widget
        for name in self.part.value_fields():
            self.fields[name] = column(self.part, name, shift)
        undeclared = set(self.part.link_fields()) - set(self.links)
        if undeclared:
            raise ImproperlyConfigured(
                f"{self.part.label}的{'、'.join(sorted(undeclared))}在考核方案工作簿中还没有写法。"
            )

    def scheme_of(self, row):
        return self.scheme_widget.clean(row.get(CATEGORY) if row else None)


class SchemeMemberWidget(widgets.Widget):
    """A column or a note of the row's table by its number in the table (指标顺序号, 说明序号)."""

    def __init__(self, scheme_of, model, field, column, thing, number):
        super().__init__()
        self.scheme_of, self.model, self.field = scheme_of, model, field
        self.column, self.thing, self.number = column, thing, number  # 考核指标 / 指标 / 顺序号

    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        if not text.isdigit():
            raise ValueError(f"{self.column}应填{self.thing}{self.number}，文件中是“{text}”。")
        scheme = self.scheme_of(row)
        found = self.model.objects.filter(scheme=scheme, **{self.field: int(text)}).first()
        if found is None:
            raise ValueError(f"{scheme}没有{self.number}为 {text} 的{self.thing}。")
        return found

    def render(self, value, obj=None, **kwargs):
        return getattr(value, self.field) if value else None


class UnitNameWidget(widgets.Widget):
    """A unit by its printed name."""

    def clean(self, value, row=None, **kwargs):
        name = as_text(value)
        unit = Unit.objects.filter(name=name).first()
        if unit is None:
            raise ValueError(f"没有名为“{name}”的责任单位：请先在责任单位中添加。")
        return unit

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class IndicatorResource(SchemePartResource):
    """A year's indicators: one row per column of a progress table (合并计分 is its own sheet)."""

    part = INDICATOR
    links = ("rule_group",)  # carried by the 合并计分 sheet: a rule group lists its columns
    scheme = fields.Field("scheme", CATEGORY)

    class Meta:
        model = Indicator
        fields = ["scheme", *INDICATOR.value_fields()]
        import_id_fields = ["scheme", "order"]
        skip_unchanged = True
        clean_model_instances = True
        store_instance = True

    def __init__(self, year, shift=0, user=None, **kwargs):
        super().__init__(year, shift, user, **kwargs)
        self.extension_fields = [PartField(p, n) for p in indicator_extensions() for n in p.value_fields()]
        for field in self.extension_fields:
            self.fields[field.attribute] = field

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        for part in indicator_extensions():
            values = {n: instance.__dict__.get(f"kc_{accessor(part)}_{n}") for n in part.value_fields()}
            if any(v is not None for v in values.values()):
                try:
                    part.model(**values).clean_fields(exclude=[part.parent])
                except ValidationError as exc:
                    raise ValidationError(
                        {f"kc_{accessor(part)}_{n}": m for n, m in exc.message_dict.items()}
                    ) from None

    def after_save_instance(self, instance, row, **kwargs):
        for part in indicator_extensions():
            values = {n: instance.__dict__.get(f"kc_{accessor(part)}_{n}") for n in part.value_fields()}
            rows = part.model.objects.filter(**{part.parent: instance})
            if all(v is None for v in values.values()):
                rows.delete()
            else:
                part.model.objects.update_or_create(**{part.parent: instance}, defaults=values)

    def get_queryset(self):
        return Indicator.objects.select_related("scheme__category", *(accessor(p) for p in indicator_extensions()))

    def describe(self, instance):
        return f"{instance.scheme.category} 第{instance.order}项 {instance.title}"


class NoteResource(SchemePartResource):
    """A year's notes (说明) with the indicator orders each one covers."""

    part = NOTE
    links = ("indicators",)
    scheme = fields.Field("scheme", CATEGORY)
    indicators = fields.Field("indicators", ORDERS)

    class Meta:
        model = Note
        fields = ["scheme", *NOTE.fields]
        import_id_fields = ["scheme", "number"]
        skip_unchanged = True
        clean_model_instances = True
        store_instance = True

    def __init__(self, year, shift=0, user=None, **kwargs):
        super().__init__(year, shift, user, **kwargs)
        self.fields["indicators"].widget = NoteIndicatorsWidget(self.scheme_widget)

    def get_queryset(self):
        return Note.objects.select_related("scheme__category").prefetch_related("indicators")

    def describe(self, instance):
        return f"{instance.scheme.category} 说明第{instance.number}条"


class GroupOrdersField(fields.Field):
    """The columns a rule group scores together, by their orders (“1、2”); set on the indicators after the save."""

    def __init__(self):
        super().__init__(attribute="kc_orders", column_name=ORDERS, widget=TextWidget())

    def get_value(self, instance):
        if "kc_orders" in instance.__dict__:
            return instance.kc_orders
        if not instance.pk:
            return ""
        return LIST_SEPARATOR.join(
            str(o) for o in instance.indicators.order_by("order").values_list("order", flat=True)
        )


class RuleGroupResource(SchemePartResource):
    """Columns a note scores together (部门 notes 1 and 3), with the note's points: one row per rule."""

    part = RULE_GROUP
    links = ("note",)
    scheme = fields.Field("scheme", CATEGORY)
    note = fields.Field("note", str(RuleGroup._meta.get_field("note").verbose_name))

    class Meta:
        model = RuleGroup
        fields = ["scheme", *RULE_GROUP.fields]
        import_id_fields = ["scheme", "note"]
        skip_unchanged = True
        clean_model_instances = True
        store_instance = True

    def __init__(self, year, shift=0, user=None, **kwargs):
        super().__init__(year, shift, user, **kwargs)
        self.fields["note"].widget = SchemeMemberWidget(self.scheme_of, Note, "number", "说明", "说明", "序号")
        self.fields["kc_orders"] = GroupOrdersField()  # after the declared columns (import-export's order)

    def _columns(self, instance, row):
        orders = split_list(instance.kc_orders)
        bad = [o for o in orders if not o.isdigit()]
        if bad or not orders:
            raise ValidationError({"kc_orders": f"涉及指标应填指标顺序号，如“1、2”，文件中是“{instance.kc_orders}”。"})
        scheme = self.scheme_of(row)
        columns = list(Indicator.objects.filter(scheme=scheme, order__in=[int(o) for o in orders]).order_by("order"))
        missing = sorted({int(o) for o in orders} - {i.order for i in columns})
        if missing:
            raise ValidationError(
                {"kc_orders": f"{scheme}没有顺序号为 {LIST_SEPARATOR.join(map(str, missing))} 的指标。"}
            )
        wrong = [i.title for i in columns if i.rule_kind not in (RuleKind.EARN, RuleKind.LOSE)]
        if wrong:
            raise ValidationError(
                {"kc_orders": f"只有“完成得分”或“未完成扣分”的指标可以合并计分（“{wrong[0]}”不是）。"}
            )
        return columns

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.kc_orders = LIST_SEPARATOR.join(split_list(instance.kc_orders))
        self._columns(instance, row)

    def after_save_instance(self, instance, row, **kwargs):
        columns = self._columns(instance, row)
        Indicator.objects.filter(rule_group=instance).exclude(pk__in=[i.pk for i in columns]).update(rule_group=None)
        Indicator.objects.filter(pk__in=[i.pk for i in columns]).update(rule_group=instance)

    def get_queryset(self):
        return RuleGroup.objects.select_related("scheme__category", "note")

    def describe(self, instance):
        return f"{instance.scheme.category} 说明第{instance.note.number}条合并计分"


class SchemeUnitResource(SchemePartResource):
    """The units in a year's tables (参评单位), in their printed order; a unit new to a table gets its cells."""

    part = SCHEME_UNIT
    links = ("unit",)
    scheme = fields.Field("scheme", CATEGORY)
    unit = fields.Field("unit", str(SchemeUnit._meta.get_field("unit").verbose_name), widget=UnitNameWidget())

    class Meta:
        model = SchemeUnit
        fields = ["scheme", *SCHEME_UNIT.fields]
        import_id_fields = ["scheme", "unit"]
        skip_unchanged = True
        clean_model_instances = True
        store_instance = True

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if original.pk is None and instance.unit_id and not instance.unit.is_active and not import_validation_errors:
            self.notes.append(f"“{instance.unit}”已停用，不加入{instance.scheme}。")
            return True
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        # A unit new to the table: a cell for every column, at the column's first value (as 开始新年度 does).
        for indicator in instance.scheme.indicators.exclude(marks__unit_id=instance.unit_id).order_by("order"):
            start_cells(indicator, [instance.unit_id], self.user, HOW.IMPORT)

    def get_queryset(self):
        return SchemeUnit.objects.select_related("scheme__category", "unit")

    def describe(self, instance):
        return f"{instance.scheme.category} · {instance.unit}"


class DueOverrideResource(SchemePartResource):
    """The office's changed due dates of one unit × indicator, with their reasons."""

    part = DUE_OVERRIDE
    links = ("unit",)
    scheme = fields.Field("indicator__scheme", CATEGORY, readonly=True)
    indicator = fields.Field("indicator", str(DueOverride._meta.get_field("indicator").verbose_name))
    unit = fields.Field("unit", str(DueOverride._meta.get_field("unit").verbose_name), widget=UnitNameWidget())

    class Meta:
        model = DueOverride
        fields = ["scheme", "indicator", *DUE_OVERRIDE.fields]
        import_id_fields = ["indicator", "unit"]
        skip_unchanged = True
        clean_model_instances = True
        store_instance = True

    def __init__(self, year, shift=0, user=None, **kwargs):
        super().__init__(year, shift, user, **kwargs)
        self.fields["indicator"].widget = SchemeMemberWidget(
            self.scheme_of, Indicator, "order", "考核指标", "指标", "顺序号"
        )

    def before_save_instance(self, instance, row, **kwargs):
        instance.set_by = self.user

    def get_queryset(self):
        return DueOverride.objects.select_related("indicator__scheme__category", "unit")

    def describe(self, instance):
        return f"{instance.indicator.scheme.category} · {instance.unit} · {instance.indicator.title}"
