"""Composer forms. Text is cleaned to the bulletin's plain-text format by the services and models."""

from django import forms

from assessment.models import Scheme

from .models import Issue
from .services import COPIED_FIELDS, pickable_cases


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class NewIssueForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    number = forms.IntegerField(label="期号", min_value=1, max_value=99)
    date = forms.DateField(label="日期", widget=DateInput())
    with_tables = forms.BooleanField(label="加入本年度的工作进展通报表格", required=False, initial=True)


class IssueForm(forms.ModelForm):
    """Masthead, date and footer; the number only before publication."""

    class Meta:
        model = Issue
        fields = ["number", "date", *COPIED_FIELDS]
        widgets = {
            "date": DateInput(),
            "report_to": forms.Textarea(attrs={"rows": 2}),
            "send_to": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.current_version_id:
            self.fields["number"].disabled = True

    def validate_unique(self):
        # The service checks the number against the year (with a Chinese message).
        pass


class ArticleForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(
        label="正文",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="每行一段；“一、二、三……”开头的行是小标题。从 Word 或网页粘贴的格式会被去掉。",
    )


class NewsForm(forms.Form):
    date = forms.DateField(label="日期", required=False, widget=DateInput())
    text = forms.CharField(
        label="内容", widget=forms.Textarea(attrs={"rows": 3}), help_text="按通报印刷，一般以日期开头，如“10月23日，……”"
    )
    source = forms.CharField(label="来源", max_length=100, required=False, help_text="印在末尾括号中，可不填")


class CasePickForm(forms.Form):
    case = forms.ModelChoiceField(label="案例", queryset=None, empty_label="请选择案例")

    def __init__(self, issue, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = pickable_cases(issue)
        self.fields["case"].label_from_instance = lambda case: (
            f"{case.printed_title}（{case.source_label}，{case.year}年第{case.quarter}季度）"
        )


class TablePickForm(forms.Form):
    scheme = forms.ModelChoiceField(label="表格", queryset=None, empty_label="请选择表格")

    def __init__(self, issue, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = (
            Scheme.objects.filter(year=issue.year).exclude(issue_tables__issue=issue).select_related("category")
        )
