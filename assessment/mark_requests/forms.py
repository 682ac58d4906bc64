"""The form a unit's reporter fills in to report an item done or explain it."""

from django import forms

from assessment.mark_requests.services import MAX_TEXT
from assessment.models import MarkRequest
from core.uploads import MAX_UPLOAD_BYTES, allowed_extensions_text


class MarkRequestForm(forms.Form):
    kind = forms.ChoiceField(label="申请类型", choices=MarkRequest.Kind.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label="说明",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            f"报告已完成：简述完成情况；情况说明：写明因规定未明确等客观原因难以落实的情况。不超过 {MAX_TEXT} 字。"
        ),
        error_messages={"required": "请填写说明内容。"},
    )
    attachment = forms.FileField(
        label="证明材料（可选）",
        required=False,
        help_text=f"可上传 {allowed_extensions_text()}，不超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB。",
    )

    KIND_LABELS = {
        MarkRequest.Kind.DONE: "报告已完成（通过后标记为“√”）",
        MarkRequest.Kind.EXPLAINED: "提交情况说明（客观原因难以落实，通过后不扣分）",
    }

    def __init__(self, *args, can_explain=True, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        kind.choices = [(value, self.KIND_LABELS.get(value, label)) for value, label in kind.choices]
        # A column without an explained wording offers only "done"; a forged "explained" still reaches the
        # service, which refuses it in its own words.
        if not can_explain:
            kind.widget.choices = [c for c in kind.choices if c[0] != MarkRequest.Kind.EXPLAINED]


class RequestReviewForm(forms.Form):
    """Decide several requests of the office's queue at once, with one reason when they are returned."""

    requests = forms.ModelMultipleChoiceField(
        label="申请",
        queryset=MarkRequest.objects.select_related("mark__unit", "mark__indicator").order_by("submitted_at", "pk"),
        error_messages={
            "required": "请至少选择一项申请。",
            "invalid_choice": "所选的申请不存在，请刷新页面后重试。",
            "invalid_pk_value": "所选的申请不存在，请刷新页面后重试。",
        },
    )
    action = forms.ChoiceField(
        label="操作", choices=[("accept", "通过"), ("return", "退回")], error_messages={"required": "请选择操作。"}
    )
    reason = forms.CharField(
        label="退回理由", required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "return" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "退回申请时请填写理由。")
        return cleaned
