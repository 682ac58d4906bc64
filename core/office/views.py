"""The office's own page (/office/): its names, the bulletin's series title and the footer defaults."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core import access
from core.office.models import MASTHEAD_FIELDS, Office, get_office


class OfficeForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = [
            "name",
            "short_name",
            "city",
            "site_title",
            "mail_tag",
            # The defaults of a new issue's masthead and footer (its issuer is the full name above).
            *(f for f in MASTHEAD_FIELDS if f != "issuer"),
        ]
        widgets = {"report_to": forms.Textarea(attrs={"rows": 3}), "send_to": forms.Textarea(attrs={"rows": 2})}


@require_http_methods(["GET", "HEAD", "POST"])
@access.require(visible=access.can_read_all, allowed=access.can_manage, message="只有市信用办可以修改本办信息。")
def edit(request):
    # A fresh copy: a form that fails validation must not leave its values in the row every page reads.
    get_office()  # makes the row if it is missing
    form = OfficeForm(request.POST or None, instance=Office.objects.get(pk=1))
    if request.method == "POST" and form.is_valid():
        office = form.save(commit=False)
        office.note_changes(form.changed_data)
        office.save()
        messages.success(request, "本办信息已保存；新建的期刊、邮件和页面标题从现在起使用新的内容。")
        return redirect("office")
    return render(request, "assessment/office_form.html", {"form": form})
