"""The one way a form is rendered: every form of the portal goes through templates/forms/.

FORM_RENDERER points here, so `{{ form }}` and `{{ field.as_field_group }}` give the same markup on every
page: label above the field, help text under it, each error once beside its field, linked to the input
with aria-describedby (Django adds the ids; the templates give them to the help text and the error list).
"""

from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"
