"""The forms of units and indicators, shared by the office's pages and the admin (one widget for allowed values)."""

from django import forms

from assessment import years
from assessment.models import Indicator, MarkState, Note, RuleGroup, Unit, year_lock
from assessment.scheme_fields import NOTE

from .indicators import FIELDS


class AllowedStatesField(forms.MultipleChoiceField):
    """An indicator's allowed cell values as checkboxes of the one vocabulary (not raw JSON), stored in the
    vocabulary's order so the list reads as printed (√, *, 非考核项…)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "可填内容")
        kwargs.setdefault("help_text", "本列可填的标记；新单元格有 * 时默认 *，否则为第一个标记")
        super().__init__(choices=MarkState.choices, widget=forms.CheckboxSelectMultiple, required=False, **kwargs)

    def clean(self, value):
        chosen = set(super().clean(value))
        return [state for state in MarkState.values if state in chosen]


class IndicatorForm(forms.ModelForm):
    """An indicator (a column of a progress table); its place in the table is changed by moving it."""

    allowed_states = AllowedStatesField()

    class Meta:
        model = Indicator
        fields = FIELDS  # what the office edits is what the audit entry compares (directory.indicators)
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "points": "计分用的分值。",
            "points_label": "表头印出的文字，如 (0.6分)、（3分）、(视情最高扣20分)。"
            "只改分值时，写作“（2分）”这样的表头随分值更新；自行写的表头（视情扣分、两项合计）保持不变。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = RuleGroup.objects.select_related("note", "scheme__category")
        if self.instance.scheme_id:
            groups = groups.filter(scheme_id=self.instance.scheme_id)  # a rule of this table only
        self.fields["rule_group"].queryset = groups


class UnitForm(forms.ModelForm):
    """A unit: its printed name, its full name as a source line prints it, its category and place.

    `enrol`: a year (open, with a scheme) the unit joins as it is saved — its row then appears in that
    year's table with every cell at the column's first value.
    """

    enrol = forms.TypedChoiceField(
        label="加入年度考核",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="选择年度后，该单位加入这一年度本类别的考核表，各项完成情况初始为 *",
    )

    class Meta:
        model = Unit
        fields = ["name", "full_name", "category", "order"]
        help_texts = {
            "name": "表格和通报中印的名称，如 统计局、千灯镇",
            "full_name": "案例来源等处印的全称，如 市统计局；区镇可不填",
            "order": "在本类别中的位置，数字小的在前",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].empty_label = None
        enrolled = set(self.instance.schemes.values_list("year", flat=True)) if self.instance.pk else set()
        open_years = [y for y in years.scheme_years() if y not in enrolled and year_lock(y) is None]
        self.fields["enrol"].choices = [("", "暂不加入")] + [(y, f"{y}年度") for y in open_years]
        if not self.instance.pk and open_years and not self.is_bound:
            self.initial.setdefault("enrol", open_years[0])


class NoteForm(forms.ModelForm):
    """A note under a table: its text, and the table's columns it speaks of as checkboxes (its number is
    changed by moving it)."""

    class Meta:
        model = Note
        fields = [name for name in NOTE.fields if name != "number"]  # assessment.scheme_fields
        widgets = {"text": forms.Textarea(attrs={"rows": 4}), "indicators": forms.CheckboxSelectMultiple}
        help_texts = {
            "text": "按通报印的文字，不必写序号；已发布的期刊保持发布时的说明，修改只影响以后的期刊和预览",
            "indicators": "这条说明讲到的考核指标，可以不选",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["indicators"]
        field.queryset = Indicator.objects.filter(scheme_id=self.instance.scheme_id).order_by("order")
        field.label_from_instance = lambda i: f"{i.order}. {i.title}"


class JoinForm(forms.Form):
    """A unit of the table's category, not yet in it, that joins the year."""

    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label="加入本年度的单位", empty_label=None)

    def __init__(self, scheme, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            Unit.objects.filter(category_id=scheme.category_id, is_active=True)
            .exclude(scheme_units__scheme=scheme)
            .order_by("order", "pk")
        )
        self.fields["unit"].help_text = "该单位排在表格最后，各项完成情况为初始值；停用的单位不在此列"
