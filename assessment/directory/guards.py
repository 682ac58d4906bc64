"""What every change of the office's directory checks first: the office is acting, the year is open, the model's rules.

The rules themselves live in the models (`Unit.clean`, `Indicator.clean`, `Note.clean`, `check_year_open`);
these turn their ValidationError into the DomainError that pages and the API show.
"""

from django.core.exceptions import ValidationError

from assessment import access
from assessment.errors import DomainError, _messages
from assessment.models import check_year_open


def require_office(user):
    if not access.can_manage(user):
        raise DomainError(access.OFFICE_ONLY)


def check_open(year):
    """A closed year (its year-end assessment frozen) takes no change."""
    try:
        check_year_open(year)
    except ValidationError as exc:
        raise DomainError(_messages(exc)) from exc


def validate(obj, *checks):
    """The model's own validation (`full_clean`), then each of `checks` (callables raising ValidationError)."""
    try:
        obj.full_clean()
        for check in checks:
            check()
    except ValidationError as exc:
        raise DomainError(_messages(exc)) from exc
