"""The one way a form is rendered: every form of the portal goes through templates/forms/.

FORM_RENDERER points here, so `{{ form }}` and `{{ field.as_field_group }}` give the same markup on every
page: label above the field, help text under it, each error once beside its field, linked to the input
with aria-describedby (Django adds the ids; the templates give them to the help text and the error list).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting

from .widget_html import html_for


class PortalFormRenderer(TemplatesSetting):
    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"

    def render(self, template_name, context, request=None):
        """The common widgets written in Python (core.widget_html, byte for byte their templates), the rest by their
        templates."""
        html = html_for(template_name, context)
        if html is None:
            return super().render(template_name, context, request)
        return html.strip()


class OnceModelForm(forms.ModelForm):
    """A model form that says each error once: the model's clean() repeats a rule (a required title, say) that
    the field's own cleaning already refused, and Django would list the message twice beside the field."""

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            fresh = {}
            for field, field_errors in errors.error_dict.items():
                said = set(self._errors.get(field, []) if self._errors else [])
                kept = [e for e in field_errors if not set(e.messages) <= said]
                if kept:
                    fresh[field] = kept
            if not fresh:
                return
            errors = ValidationError(fresh)
        super()._update_errors(errors)
