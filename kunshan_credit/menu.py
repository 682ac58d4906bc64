"""The header's links (templates/base.html), reversed once per URL configuration and script prefix.

Every page draws the same twenty links; `{% url %}` reversed each on every request (0.4 ms of a page's CPU at
any scale, issue 25). The names are the portal's, so they live in its top layer; a link that differs by an
id (a reporter's own unit) stays a `{% url %}` in the template.
"""

from django.urls import reverse

from core.links import url_key

#: {template name: URL name} of the header's links.
NAMES = {
    "home": "home",
    "todo": "todo",
    "archive": "bulletins:archive",
    "new_issue": "bulletins:new",
    "overview": "overview:index",
    "assessment": "assessment:index",
    "api_tokens": "api_tokens:list",
    "api_docs": "api:docs",
    "imports": "imports:index",
    "requests": "units:requests",
    "units": "directory:units",
    "schemes": "directory:schemes",
    "office": "office",
    "cases": "cases:list",
    "scores": "scores_latest:latest",
    "accounts": "accounts:list",
    "audit": "audit:list",
    "jobs": "system:jobs",
    "password_change": "password_change",
    "backup_codes": "security:backup_codes",
    "logout": "logout",
    "login": "login",
}

_reversed = {}


def links():
    """{template name: path} for the URL configuration and script prefix of this request."""
    key = url_key()
    found = _reversed.get(key)
    if found is None:
        found = _reversed[key] = {name: reverse(url_name) for name, url_name in NAMES.items()}
    return found


def menu(request):
    """`menu` for templates: `{{ menu.todo }}` is `{% url 'todo' %}`."""
    return {"menu": links()}
