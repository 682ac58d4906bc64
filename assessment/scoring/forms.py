"""The form staff use to record a deduction (missed occurrences or a serious credit event)."""

from django import forms

from assessment.models import Indicator, RuleKind, SchemeUnit, Unit


class IndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.rule_kind == RuleKind.PER_OCCURRENCE:
            rule = f"扣{obj.rate.normalize():f}分/次，扣满{obj.cap.normalize():f}分为止，填次数"
        else:
            rule = f"视情扣分，最高扣{obj.cap.normalize():f}分，填扣分"
        return f"{obj.scheme.category.name} · {obj.title}（{rule}）"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.category.name} · {obj.name}"


class DeductionForm(forms.Form):
    unit = UnitChoiceField(label="责任单位", queryset=Unit.objects.none())
    indicator = IndicatorChoiceField(label="考核指标", queryset=Indicator.objects.none())
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    count = forms.IntegerField(label="次数", required=False, min_value=1, help_text="按次扣分的指标填写未完成的次数")
    amount = forms.DecimalField(
        label="扣分", required=False, min_value=0, max_digits=6, decimal_places=2, help_text="视情扣分的指标填写扣的分"
    )
    reason = forms.CharField(label="事由", widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label="录入即确认（确认后计入得分和扣分情况）", required=False)

    def __init__(self, year, *args, **kwargs):
        super().__init__(*args, **kwargs)
        enrolled = SchemeUnit.objects.filter(scheme__year=year).values("unit_id")
        self.fields["unit"].queryset = (
            Unit.objects.filter(pk__in=enrolled).select_related("category").order_by("category__order", "order")
        )
        self.fields["indicator"].queryset = (
            Indicator.objects.filter(scheme__year=year, rule_kind__in=[RuleKind.PER_OCCURRENCE, RuleKind.DISCRETIONARY])
            .select_related("scheme__category")
            .order_by("scheme__category__order", "order")
        )

    def clean(self):
        data = super().clean()
        indicator = data.get("indicator")
        if indicator is None:
            return data
        if indicator.rule_kind == RuleKind.PER_OCCURRENCE:
            if data.get("count") is None:
                self.add_error("count", "按次扣分的指标请填写次数。")
            data["amount"] = None
        else:
            if data.get("amount") is None:
                self.add_error("amount", "视情扣分的指标请填写扣分。")
            data["count"] = None
        return data
