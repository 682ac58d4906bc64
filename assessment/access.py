"""The assessment's reach on top of the portal's access policy (`core.access`, whose docstring has the rule).

One convenience on top: a reporter asking for the entry grid or the list of units (the office's landing pages)
is sent to its own unit's page instead of a 404 (`assessment.marks.views.entry.reporter_redirect`).

Every view asks this module (or `core.access` for what is not about units): `require(visible=…, allowed=…)`
for the page, `get_visible_or_404` and `deny_unless` for one object; the API's permission class asks the
same predicates, templates get them as capability flags (`can`, see `capabilities`). Facts about an
object's state come from the object itself through two small protocols, so this module names no model
of a higher app: a thing a unit works on (`UnitWork`: a case) and a thing that is public once published
(`Publishable`: an issue). Services ask the same predicates again and refuse with a `DomainError`.
"""

from typing import Protocol

from django.http import Http404
from django.utils.functional import cached_property

from core import access as base
from core.access import (  # noqa: F401  (the assessment's apps read the whole policy through this module)
    ACCOUNT_NOT_MANAGEABLE,
    ACCOUNTS_ONLY,
    ANONYMOUS,
    AUDITOR,
    AUDITOR_GROUP,
    IT_ADMIN,
    LEADER,
    LEADER_GROUP,
    NO_ROLE,
    NOT_FOUND,
    OFFICE_ONLY,
    OWN_UNIT_ONLY,
    READ_ONLY,
    REPORTER,
    REPORTER_GROUP,
    SAFE_METHODS,
    SECURITY,
    SECURITY_GROUP,
    STAFF,
    STAFF_GROUP,
    can_audit,
    can_manage,
    can_manage_account,
    can_manage_accounts,
    can_read_all,
    can_see_system,
    denied_message,
    deny_unless,
    get_visible_or_404,
    has_role,
    is_admin_account,
    is_read_only,
    is_reporter,
    is_staff,
    manage_required,
    read_all_required,
    reporter_unit_id,
    require,
    role_of,
    scope,
)


class UnitWork(Protocol):
    """What the predicates ask of a thing a unit works on and the office reviews (a case)."""

    #: the unit it belongs to (None: the office's own)
    source_unit_id: int | None
    #: why its unit may not change it now, or None
    unit_edit_refusal: str | None
    can_submit: bool
    can_withdraw: bool


class Publishable(Protocol):
    """What the predicates ask of a thing that is public once published (an issue)."""

    is_published: bool


def unit_of_account(user):
    """Registered with `core.access` (AppConfig.ready): the unit a reporter's account reports for."""
    reporter = getattr(user, "reporter", None)
    return reporter.unit_id if reporter is not None else None


# --- reach (404 outside it)


def _unit_id(unit_or_id):
    return getattr(unit_or_id, "pk", unit_or_id)


def can_view_unit(user, unit_or_id):
    """A unit's own things: everyone who reads all units, and the unit's reporter."""
    if can_read_all(user):
        return True
    own = reporter_unit_id(user)
    return own is not None and str(own) == str(_unit_id(unit_or_id))


def can_view_case(user, case: UnitWork):
    return can_view_unit(user, case.source_unit_id)


def can_view_issue(user, issue: Publishable):
    """A published issue is public; a draft is the office's."""
    return issue.is_published or can_manage(user)


def get_unit_or_404(user, pk):
    """The unit `pk` if it is within the user's reach."""
    from .models import Unit  # models import nothing of this module; loaded lazily to keep it light

    if not str(pk).isdigit():
        raise Http404(NOT_FOUND)
    return get_visible_or_404(user, Unit.objects.select_related("category"), can_view_unit, pk=pk)


# --- actions (403 when visible but not allowed)


def can_edit_marks(user):
    """The entry grid, bulk changes, undo, a new year's marks."""
    return is_staff(user)


def can_edit_year(user, state):
    """Change a year's marks now (a grid cell opens, bulk set, import, undo): staff, while the year is not
    closed. `state` is the year's `assessment.years.YearState`; the services refuse a closed year again."""
    return can_edit_marks(user) and state.is_open


def can_write_cases(user):
    """Fill in a new case: the office for any unit, a reporter for its own."""
    return role_of(user) in (STAFF, REPORTER)


def can_set_case_source(user):
    """Record a case for any unit or for a source that is not a unit (the office); a reporter's is its own."""
    return is_staff(user)


def can_act_on_case(user, case: UnitWork):
    """Change or move a case at all (its status decides the rest): the office, or the case's own unit."""
    return is_staff(user) or (is_reporter(user) and can_view_case(user, case))


def can_edit_case(user, case: UnitWork):
    """Change a case's text now: the office always, the unit while the case is its to edit."""
    return is_staff(user) or (can_act_on_case(user, case) and case.unit_edit_refusal is None)


def can_submit_case(user, case: UnitWork):
    return can_act_on_case(user, case) and case.can_submit


def can_withdraw_case(user, case: UnitWork):
    return can_act_on_case(user, case) and case.can_withdraw


def can_review_cases(user):
    """Accept and return cases, mark them for the bulletin, record offline counts."""
    return is_staff(user)


def can_request(user, mark):
    """Ask the office to change a * item: only the unit's own reporter."""
    return is_reporter(user) and reporter_unit_id(user) == mark.unit_id


def can_decide_requests(user):
    return is_staff(user)


# --- for templates


class Capabilities(base.Capabilities):
    """The portal's flags and the assessment's: what the signed-in user may do (`{% if can.edit_marks %}`)."""

    @cached_property
    def edit_marks(self):
        return can_edit_marks(self._user)

    @cached_property
    def review_cases(self):
        return can_review_cases(self._user)

    @cached_property
    def write_cases(self):
        return can_write_cases(self._user)

    @cached_property
    def decide_requests(self):
        return can_decide_requests(self._user)


def capabilities(user):
    return Capabilities(user)
