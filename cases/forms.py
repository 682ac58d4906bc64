"""Forms of the case pages, in Chinese. They check input; the services in cases/services.py decide."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from assessment.models import Category, Unit
from core.forms import OnceModelForm
from core.text import contains_script, plain_line, plain_paragraphs
from core.uploads import KINDS, allowed_extensions_text, validate_upload

from .models import (
    QUARTER_LABELS,
    RECORD_SPANS,
    Case,
    CaseCountRecord,
    CaseKind,
    CaseStatus,
    quarter_of,
    quarters_label,
)

SCRIPT_MESSAGE = "内容中含有脚本或网页代码，请删除后重新提交。"
REQUIRED_MESSAGES = {
    "kind": "请选择类型：守信激励或失信惩戒。",
    "title": "标题不能为空。",
    "body": "正文不能为空。",
    "subject": "请填写奖惩对象。",
    "measure": "请填写采取的措施。",
    "event_date": "请填写发生日期。",
}
QUARTER_CHOICES = [(q, label) for q, label in QUARTER_LABELS.items()]


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by content and size (core.uploads)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(sorted(KINDS))}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [single(f, initial) for f in files if f]
        errors = []
        for uploaded in cleaned:
            try:
                validate_upload(uploaded)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


def _plain_line(value, required_message=None):
    if contains_script(value):
        raise ValidationError(SCRIPT_MESSAGE)
    value = plain_line(value)
    if required_message and not value:
        raise ValidationError(required_message)
    return value


class CaseForm(OnceModelForm):
    """A case as its unit writes it; staff also choose the source and how the case came in."""

    quarter = forms.TypedChoiceField(
        label="季度",
        choices=[("", "按发生日期")] + QUARTER_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        help_text="默认按发生日期计算，可以修改。",
        error_messages={"invalid_choice": "季度只能是1至4。"},
    )
    attachments = MultipleFileField(
        label="附件",
        required=False,
        help_text=f"可上传 {allowed_extensions_text()}，每个文件不超过 10 MB；文件类型按内容检查。",
    )
    remove_attachments = forms.ModelMultipleChoiceField(
        label="删除附件", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Case
        fields = [
            "kind",
            "title",
            "subtitle",
            "source_unit",
            "source_label",
            "channel",
            "subject",
            "measure",
            "event_date",
            "quarter",
            "body",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "event_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "body": forms.Textarea(attrs={"rows": 14}),
            "measure": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"body": "正文", "measure": "采取的措施"}
        help_texts = {
            "body": "每段一行。从网页或 Word 粘贴的格式会被去掉，只保留文字。",
            "subject": "受到激励或惩戒的个人或企业名称。",
        }

    def __init__(self, *args, staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = CaseKind.choices
        for name, message in REQUIRED_MESSAGES.items():
            self.fields[name].error_messages["required"] = message
        self.fields["subject"].required = True
        self.fields["measure"].required = True
        # Cases recorded before the portal (the printed 2019 ones) have no date; staff may keep it so.
        self.fields["event_date"].required = not (staff and self.instance.pk and self.instance.event_date is None)
        if staff:
            self.fields["source_unit"].queryset = Unit.objects.select_related("category")
            self.fields[
                "source_unit"
            ].help_text = "代单位录入时选择单位；来源不是责任单位（如市“331”专班）时留空，填写下方来源。"
            self.fields["source_label"].required = False
            self.fields["source_label"].help_text = "印在案例末尾括号中，如 市行政审批局、市“331”专班；选了单位可留空。"
        else:
            for name in ("source_unit", "source_label", "channel"):
                del self.fields[name]
        attachments = self.instance.attachments.all() if self.instance.pk else []
        if attachments:
            self.fields["remove_attachments"].queryset = self.instance.attachments.all()
            self.fields["remove_attachments"].label_from_instance = lambda a: a.name
        else:
            del self.fields["remove_attachments"]
        if not self.instance.pk and not self.is_bound:
            self.initial["form_token"] = uuid.uuid4()

    def clean_title(self):
        return _plain_line(self.cleaned_data["title"], "标题不能为空。")

    def clean_subtitle(self):
        return _plain_line(self.cleaned_data.get("subtitle", ""))

    def clean_subject(self):
        return _plain_line(self.cleaned_data["subject"], "请填写奖惩对象。")

    def clean_source_label(self):
        return _plain_line(self.cleaned_data.get("source_label", ""))

    def clean_body(self):
        body = self.cleaned_data["body"]
        if contains_script(body):
            raise ValidationError("正文中含有脚本或网页代码，请删除后重新提交。")
        body = plain_paragraphs(body)
        if not body:
            raise ValidationError("正文不能为空。")
        return body

    def clean_measure(self):
        measure = self.cleaned_data["measure"]
        if contains_script(measure):
            raise ValidationError(SCRIPT_MESSAGE)
        measure = plain_paragraphs(measure)
        if not measure:
            raise ValidationError("请填写采取的措施。")
        return measure

    def clean_event_date(self):
        day = self.cleaned_data["event_date"]
        if day and day > timezone.localdate():
            raise ValidationError("发生日期不能晚于今天。")
        return day

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("event_date")
        if day:
            # Year and quarter follow the date unless the quarter was chosen by hand.
            self.instance.year = day.year
            if not cleaned.get("quarter"):
                cleaned["quarter"] = quarter_of(day)
        elif not cleaned.get("quarter"):
            cleaned["quarter"] = self.instance.quarter or 1
        return cleaned


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="退回理由", widget=forms.Textarea(attrs={"rows": 3}), help_text="告诉单位需要修改什么。"
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)


STATUS_FILTERS = [("", "全部状态"), ("pending", "待审核（已报送、已重新报送）")] + list(CaseStatus.choices)


class CaseFilterForm(forms.Form):
    """Filters of the case list and the review queue (GET)."""

    status = forms.ChoiceField(label="状态", choices=STATUS_FILTERS, required=False)
    kind = forms.ChoiceField(label="类型", choices=[("", "全部类型")] + list(CaseKind.choices), required=False)
    category = forms.ModelChoiceField(
        label="类别", queryset=Category.objects.all(), required=False, empty_label="全部类别"
    )
    # Part of a unit's name, typed (a province has 2,000 units: a list of them all would be most of the page),
    # or a unit's id, as links from other pages give it.
    unit = forms.CharField(
        label="单位",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "单位名称"}),
    )
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label="季度", choices=[("", "全部季度")] + QUARTER_CHOICES, coerce=int, required=False, empty_value=None
    )
    q = forms.CharField(label="搜索", required=False, max_length=100)

    def __init__(self, *args, unit_choice=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not unit_choice:
            del self.fields["unit"]
            del self.fields["category"]

    def filter(self, cases):
        if not self.is_valid():
            return cases.none()
        data = self.cleaned_data
        status = data.get("status")
        if status == "pending":
            cases = cases.filter(status__in=[CaseStatus.SUBMITTED, CaseStatus.RESUBMITTED])
        elif status:
            cases = cases.filter(status=status)
        if data.get("kind"):
            cases = cases.filter(kind=data["kind"])
        if data.get("category"):
            cases = cases.filter(source_unit__category=data["category"])
        unit = (data.get("unit") or "").strip()
        if unit.isdigit():
            cases = cases.filter(source_unit_id=int(unit))
        elif unit:
            cases = cases.filter(Q(source_unit__name__icontains=unit) | Q(source_unit__full_name__icontains=unit))
        if data.get("year"):
            cases = cases.filter(year=data["year"])
        if data.get("quarter"):
            cases = cases.filter(quarter=data["quarter"])
        text = (data.get("q") or "").strip()
        if text:
            cases = cases.filter(
                Q(title__icontains=text)
                | Q(subtitle__icontains=text)
                | Q(body__icontains=text)
                | Q(subject__icontains=text)
                | Q(source_label__icontains=text)
            )
        return cases


class ReviewForm(forms.Form):
    """Act on several cases of the review queue at once."""

    cases = forms.ModelMultipleChoiceField(
        label="案例", queryset=Case.objects.all(), error_messages={"required": "请至少选择一个案例。"}
    )
    action = forms.ChoiceField(
        label="操作", choices=[("accept", "采用"), ("return", "退回")], error_messages={"required": "请选择操作。"}
    )
    reason = forms.CharField(label="退回理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "return" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "退回时请填写理由。")
        return cleaned


def _span(value):
    """“1-3” → (1, 3): the quarters a record covers, as the form's choice sends them."""
    first, _, last = value.partition("-")
    return (int(first), int(last))


class CountRecordForm(forms.ModelForm):
    """An offline count (cases reported before the portal, by email or on paper) with its source and
    the quarters it covers (note 6 fills only those)."""

    quarters = forms.TypedChoiceField(
        label="所涵盖的季度",
        choices=[("", "请选择")] + [(f"{a}-{b}", quarters_label(a, b)) for a, b in RECORD_SPANS],
        coerce=_span,
        help_text="如“前三季度报送 16 例”选“前三季度”：这些案例只补足所涵盖的季度",
        error_messages={"required": "请选择记录所涵盖的季度。", "invalid_choice": "请从列表中选择所涵盖的季度。"},
    )

    class Meta:
        model = CaseCountRecord
        fields = ["unit", "year", "quarters", "date", "count", "note"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.select_related("category")

    def clean_note(self):
        return _plain_line(self.cleaned_data["note"], "请写明数字的来源。")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("quarters"):
            # The model checks the record as a whole (its quarters included) after this.
            self.instance.first_quarter, self.instance.last_quarter = cleaned["quarters"]
        return cleaned
