"""What every change of the office's directory checks first: the office is acting and the model's rules hold.

The rules themselves live in the models (`Unit.clean`, `Indicator.clean`, `Note.clean`, `check_year_open`);
these turn their ValidationError into the DomainError that pages and the API show.
"""

from django.core.exceptions import ValidationError

from assessment import access
from core.errors import DomainError, validation_text


def require_office(user):
    if not access.can_manage(user):
        raise DomainError(access.OFFICE_ONLY)


def validate(obj, *checks):
    """The model's own validation (`full_clean`), then each of `checks` (callables raising ValidationError)."""
    try:
        obj.full_clean()
        for check in checks:
            check()
    except ValidationError as exc:
        raise DomainError(validation_text(exc)) from exc
