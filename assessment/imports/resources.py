"""Units and schemes as flat tables, with django-import-export Resources.

A Resource maps one sheet (header row + rows) to model rows both ways: `export()` feeds the
one Excel writer (`core.excel`), `import_data()` validates and saves each row (the
models' own `full_clean`, Chinese messages). The widgets below speak the office's words:
类别 by name, 计分方式 and 截止规则 by their labels, 可填内容 as “√、*、非考核项”, 是/否 for flags, dates
as 2019-12-31.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets
from import_export.resources import Diff

from assessment.due import shift_years
from assessment.models import Category, DueRule, Indicator, MarkState, RuleKind, Scheme, Unit

LIST_SEPARATOR = "、"
YES, NO = "是", "否"


def as_text(value):
    """A cell as text: numbers without a trailing .0, None as ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def split_list(value):
    text = as_text(value)
    for sep in (",", "，", ";", "；", "/", " "):
        text = text.replace(sep, LIST_SEPARATOR)
    return [part for part in (p.strip() for p in text.split(LIST_SEPARATOR)) if part]


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return as_text(value)


class IntegerWidget(widgets.Widget):
    """A whole number; an empty cell is “not set” unless `required`."""

    def __init__(self, label, required=True):
        super().__init__(coerce_to_string=False)
        self.label, self.required = label, required

    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        if not text and not self.required:
            return None
        if not text.isdigit():
            raise ValueError(f"{self.label}应为整数，文件中是“{text}”。")
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return value


class DecimalWidget(widgets.Widget):
    """Points as numbers in Excel; an empty cell is “not set”."""

    def __init__(self, label, required=False):
        super().__init__(coerce_to_string=False)
        self.label, self.required = label, required

    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        if not text:
            if self.required:
                raise ValueError(f"请填写{self.label}。")
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{self.label}应为数字，文件中是“{text}”。") from None
        if not number.is_finite() or number < 0:
            raise ValueError(f"{self.label}应为不小于0的数字，文件中是“{text}”。")
        return number

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None
        value = Decimal(value).normalize()
        # Whole numbers as int, others as float: what Excel shows (3, 0.6), not “3.00”.
        return int(value) if value == value.to_integral_value() else float(value)


class FlagWidget(widgets.Widget):
    def __init__(self, label):
        super().__init__()
        self.label = label

    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        if text in (YES, "√", "TRUE", "True", "1"):
            return True
        if text in (NO, "", "FALSE", "False", "0"):
            return False
        raise ValueError(f"{self.label}只能填“{YES}”或“{NO}”，文件中是“{text}”。")

    def render(self, value, obj=None, **kwargs):
        return YES if value else NO


class RuleKindWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        for kind in RuleKind:
            if text in (kind.label, kind.value):
                return kind.value
        raise ValueError(f"计分方式“{text}”不认识，可填：{LIST_SEPARATOR.join(RuleKind.labels)}。")

    def render(self, value, obj=None, **kwargs):
        return RuleKind(value).label if value else ""


class DueRuleWidget(widgets.Widget):
    """截止规则 by its label (限期完成（截止日期）, 每季度末, 年终考核前); empty: by the year-end assessment."""

    def clean(self, value, row=None, **kwargs):
        text = as_text(value)
        if not text:
            return DueRule.YEAR_END
        for rule in DueRule:
            if text in (rule.label, rule.value) or (rule == DueRule.DATE and text == "限期完成"):
                return rule.value
        raise ValueError(f"截止规则“{text}”不认识，可填：{LIST_SEPARATOR.join(DueRule.labels)}。")

    def render(self, value, obj=None, **kwargs):
        return DueRule(value).label if value else ""


class DayWidget(widgets.Widget):
    """A date as 2019-12-31 (a cell Excel keeps as a date is read as one); empty: none."""

    def __init__(self, label, shift=0):
        self.label, self.shift = label, shift  # shift: years the file's dates move on (imported into a later year)
        super().__init__()

    def clean(self, value, row=None, **kwargs):
        return shift_years(self._day(value), self.shift)

    def _day(self, value):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = as_text(value)
        if not text:
            return None
        try:
            return datetime.date.fromisoformat(text.replace("/", "-"))
        except ValueError:
            raise ValueError(f"{self.label}“{text}”应按 年-月-日 填写，如 2019-12-31。") from None

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class StatesWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        states = split_list(value)
        unknown = [s for s in states if s not in MarkState.values]
        if unknown:
            raise ValueError(
                f"可填内容中的“{LIST_SEPARATOR.join(unknown)}”不是通报用语，可填：{LIST_SEPARATOR.join(MarkState.values)}。"
            )
        return states

    def render(self, value, obj=None, **kwargs):
        return LIST_SEPARATOR.join(value or [])


class CategoryWidget(widgets.ForeignKeyWidget):
    """A category by its printed name (区镇, 城市管理办事处, 部门)."""

    def __init__(self):
        super().__init__(Category, field="name")

    def clean(self, value, row=None, **kwargs):
        name = as_text(value)
        category = self.get_queryset(value, row).filter(name=name).first()
        if category is None:
            known = LIST_SEPARATOR.join(Category.objects.values_list("name", flat=True))
            raise ValueError(f"没有名为“{name}”的单位类别（现有：{known}）。")
        return category


class SchemeWidget(widgets.Widget):
    """The year's scheme of a category, given by the category's name (the year comes from the page)."""

    def __init__(self, year):
        super().__init__()
        self.year = year
        self._cache = {}

    def clean(self, value, row=None, **kwargs):
        name = as_text(value)
        if name not in self._cache:
            self._cache[name] = (
                Scheme.objects.select_related("category").filter(year=self.year, category__name=name).first()
            )
        scheme = self._cache[name]
        if scheme is None:
            raise ValueError(f"{self.year}年度没有“{name}”的考核方案（类别名称须与现有类别一致）。")
        return scheme

    def render(self, value, obj=None, **kwargs):
        return value.category.name if value else ""


class NoteIndicatorsWidget(widgets.ManyToManyWidget):
    """The columns a note covers, by their order in the table: “1、2”."""

    def __init__(self, scheme_widget):
        super().__init__(Indicator, separator=LIST_SEPARATOR, field="order")
        self.scheme_widget = scheme_widget

    def clean(self, value, row=None, **kwargs):
        orders = split_list(value)
        if not orders:
            return Indicator.objects.none()
        bad = [o for o in orders if not o.isdigit()]
        if bad:
            raise ValueError(f"涉及指标应填指标顺序号，如“1、2”，文件中有“{LIST_SEPARATOR.join(bad)}”。")
        scheme = self.scheme_widget.clean(row.get(CATEGORY) if row else None)
        wanted = sorted({int(o) for o in orders})
        found = list(Indicator.objects.filter(scheme=scheme, order__in=wanted))
        missing = sorted(set(wanted) - {i.order for i in found})
        if missing:
            raise ValueError(f"{scheme}没有顺序号为 {LIST_SEPARATOR.join(map(str, missing))} 的指标。")
        return Indicator.objects.filter(pk__in=[i.pk for i in found]).order_by("order")

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return LIST_SEPARATOR.join(str(i.order) for i in sorted(value.all(), key=lambda i: i.order))


class ChangeList(Diff):
    """import-export's row diff as [(column, old, new), …] of the changed cells instead of HTML."""

    def __init__(self, resource, instance, new):
        super().__init__(resource, instance, new)
        self.headers = resource.get_diff_headers()

    def as_html(self):
        return [
            (header, "" if self.new else as_text(old), as_text(new))
            for header, old, new in zip(self.headers, self.left, self.right, strict=False)
            if self.new or as_text(old) != as_text(new)
        ]


class OfficeResource(resources.ModelResource):
    """Common options: validate with the model, skip unchanged rows, report changes cell by cell."""

    def describe(self, instance):
        """How the preview names a row's object."""
        return str(instance)

    def get_diff_class(self):
        return ChangeList

    def import_instance(self, instance, row, **kwargs):
        # import-export leaves many-to-many columns to after the save; check them with the rest of
        # the row so a bad value is a row error in the preview, not an exception.
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as exc:
                    errors[field.attribute] = [str(exc)]
        if errors:
            raise ValidationError(errors)


CATEGORY = "类别"


class UnitResource(OfficeResource):
    """The units (责任单位), one row each; a unit is known by its printed name."""

    category = fields.Field("category", CATEGORY, widget=CategoryWidget())
    order = fields.Field("order", "顺序", widget=IntegerWidget("顺序"))
    name = fields.Field("name", "名称（按通报）", widget=TextWidget())
    full_name = fields.Field("full_name", "全称", widget=TextWidget())
    is_active = fields.Field("is_active", "参加考核", widget=FlagWidget("参加考核"))

    class Meta:
        model = Unit
        fields = ["category", "order", "name", "full_name", "is_active"]
        import_id_fields = ["name"]
        skip_unchanged = True
        clean_model_instances = True
        store_instance = True

    def get_queryset(self):
        return Unit.objects.select_related("category")

    def describe(self, instance):
        return f"{instance.category} · {instance.name}"
