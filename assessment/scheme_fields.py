"""Which fields make up a year's scheme, declared once for every path that copies or carries it.

A scheme is a category's table for one year: the scheme row, its indicators (columns), notes (说明),
rule groups (合并计分), the units enrolled in it (参评单位) and the office's changed due dates; a higher
layer may add a part of its own (cases registers its CaseDuty, 每季度应报案例数, in CasesConfig.ready).

Each `Part` names the fields that make it up (`fields`) and the fields that by nature are not part of
it, each with its reason (`not_copied`). 开始新年度 (`copy_scheme`), the scheme workbook
(`assessment.imports.resources`), the scheme JSON (`assessment.imports.schemes`), the API
(`assessment.api.schemes`) and the office's forms (`assessment.directory`) read these lists, and
tests/test_scheme_fields.py fails when a model gains a field that is in neither.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from .due import shift_years
from .models import DueOverride, Indicator, Note, RuleGroup, Scheme, SchemeUnit

__all__ = [
    "DUE_OVERRIDE",
    "ID",
    "INDICATOR",
    "NOTE",
    "RULE_GROUP",
    "SCHEME",
    "SCHEME_UNIT",
    "Part",
    "accessor",
    "copy_scheme",
    "extension_row",
    "extension_values",
    "indicator_extensions",
    "parts",
    "register",
    "shift_years",
]

ID = "主键：每一行自己的编号，不复制"


@dataclass(frozen=True)
class Part:
    """One model of a scheme: the field naming what it belongs to (`parent`), what makes it up, what does not."""

    model: type
    parent: str | None
    fields: tuple
    not_copied: dict = field(default_factory=dict)
    # Copied to a new year only when this holds (old row, {"units": ids enrolled in the new scheme}).
    keep: object = None

    @property
    def label(self):
        return str(self.model._meta.verbose_name)

    def model_field(self, name):
        return self.model._meta.get_field(name)

    def value_fields(self):
        """The declared fields that hold a value (not a link to another row)."""
        return [n for n in self.fields if not self.model_field(n).is_relation]

    def link_fields(self):
        """The declared fields that link to another row (within the scheme or outside it, as a unit)."""
        return [n for n in self.fields if self.model_field(n).is_relation]

    def values(self, obj):
        """{field name: value} of the declared value fields of `obj`."""
        return {n: getattr(obj, n) for n in self.value_fields()}


SCHEME = Part(
    Scheme,
    None,
    ("category",),
    {
        "id": ID,
        "year": "年度：新的一年由开始新年度或导入的页面给定",
        "units": "参评单位由 SchemeUnit 的行带着（含顺序），见 SCHEME_UNIT",
    },
)

INDICATOR = Part(
    Indicator,
    "scheme",
    (
        "order",
        "title",
        "points",
        "points_label",
        "rule_kind",
        "rate",
        "cap",
        "allowed_states",
        "accepts_count",
        "due_rule",
        "due_date",
        "rule_group",
        "in_full_points",
        "deduction_wording",
    ),
    {"id": ID, "scheme": "所属考核方案：新年度的方案"},
)

NOTE = Part(Note, "scheme", ("number", "text", "indicators"), {"id": ID, "scheme": "所属考核方案：新年度的方案"})

RULE_GROUP = Part(RuleGroup, "scheme", ("note", "points"), {"id": ID, "scheme": "所属考核方案：新年度的方案"})

SCHEME_UNIT = Part(
    SchemeUnit,
    "scheme",
    ("unit", "order"),
    {
        "id": ID,
        "scheme": "所属考核方案：新年度的方案",
        "deduction_text": "扣分情况是一年考核的结果，新年度从空白开始",
    },
    keep=lambda row, context: row.unit.is_active,  # a unit no longer assessed does not join the new year
)

DUE_OVERRIDE = Part(
    DueOverride,
    "indicator",
    ("unit", "date", "reason"),
    {
        "id": ID,
        "indicator": "所属考核指标：新年度的同一列",
        "set_by": "调整人：记下的是开始新年度或导入的人",
        "set_at": "调整时间：自动记录",
    },
    keep=lambda row, context: row.unit_id in context["units"],  # only for units in the new year's table
)

_BUILT_IN = (SCHEME, NOTE, RULE_GROUP, INDICATOR, SCHEME_UNIT, DUE_OVERRIDE)
_registered = []


def register(part):
    """A higher layer adds a part of the scheme (one row per indicator, `parent` its one-to-one field)."""
    if part.parent != "indicator" or not part.model_field("indicator").one_to_one:
        raise ValueError("登记的考核方案组成部分须与考核指标一对一。")
    if all(p.model is not part.model for p in _registered):
        _registered.append(part)


def indicator_extensions():
    """The registered parts: one row per indicator, carried as more columns of the indicator."""
    return list(_registered)


def accessor(part):
    """The name an indicator reaches a registered part by (`indicator.case_duty`)."""
    return part.model_field(part.parent).remote_field.get_accessor_name()


def extension_row(part, indicator):
    """The registered part's row of `indicator`, or None."""
    try:
        return getattr(indicator, accessor(part))
    except ObjectDoesNotExist:
        return None


def extension_values(indicator):
    """{accessor: {field: value} or None} of the registered parts of `indicator` (the API, the JSON)."""
    values = {}
    for part in _registered:
        row = extension_row(part, indicator)
        values[accessor(part)] = part.values(row) if row is not None else None
    return values


def parts():
    """Every part of a scheme, in the order a copy creates them (what a row links to comes first)."""
    return [*_BUILT_IN, *_registered]


def _copy_values(part, obj, years, copies):
    """The declared fields of `obj` for its copy: dates moved on `years`, links to copied rows redirected."""
    values = {}
    for name in part.fields:
        model_field = part.model_field(name)
        if model_field.many_to_many:
            continue
        if model_field.is_relation:
            target = getattr(obj, model_field.attname)
            mapped = copies.get(model_field.related_model)
            values[model_field.attname] = mapped.get(target) if mapped is not None and target is not None else target
        elif isinstance(model_field, models.DateField):
            values[name] = shift_years(getattr(obj, name), years)
        elif isinstance(model_field, models.JSONField):
            values[name] = _fresh(getattr(obj, name))
        else:
            values[name] = getattr(obj, name)
    return values


def _fresh(value):
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    return value


def copy_scheme(old, year, extra=None):
    """A copy of the scheme `old` (its parts as `parts()` declares them) for `year`; returns the new scheme.

    Dates move on by the difference of the years; a unit no longer active is not enrolled, and a changed
    due date goes with its unit only. `extra`: {model: {field: value}} for fields the caller sets (set_by).
    """
    extra = extra or {}
    years = year - old.year
    new = Scheme.objects.create(year=year, **_copy_values(SCHEME, old, years, {}), **extra.get(Scheme, {}))
    copies = {Scheme: {old.pk: new.pk}}
    context = {"units": set()}
    many = []
    for part in parts()[1:]:
        parent = part.model_field(part.parent)
        rows = part.model.objects.filter(**{f"{parent.attname}__in": list(copies[parent.related_model])})
        mapped = copies.setdefault(part.model, {})
        for row in rows.order_by("pk"):
            if part.keep is not None and not part.keep(row, context):
                continue
            values = _copy_values(part, row, years, copies)
            values[parent.attname] = copies[parent.related_model][getattr(row, parent.attname)]
            copy = part.model.objects.create(**values, **extra.get(part.model, {}))
            mapped[row.pk] = copy.pk
            many += [(part, name, row, copy) for name in part.fields if part.model_field(name).many_to_many]
            if part is SCHEME_UNIT:
                context["units"].add(copy.unit_id)
    for part, name, row, copy in many:
        target = part.model_field(name).related_model
        getattr(copy, name).set([copies[target][pk] for pk in getattr(row, name).values_list("pk", flat=True)])
    return new
