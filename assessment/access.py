"""Who may see and do what: the portal's one access policy.

Roles are Django groups (created by a migration): office staff (市信用办) change everything, a unit
reporter acts on its own unit only, leaders read everything and change nothing. A signed-in account in
none of these groups has no role and reaches nothing but the public pages and its password.

The rule, the same for every page and API route:

- anonymous → the login page (pages) or 401 (API); public pages (published issues) answer anyway;
- outside one's reach → 404: another unit's object, a page about all units for a reporter, an
  unpublished issue for anyone but the office, anything for an account without role;
- visible but not allowed → 403: a leader trying to change something, a reporter doing the office's
  work on something it can see (reviewing its own case, editing a published issue, an accepted case).

One convenience on top: a reporter asking for the entry grid or the list of units (the office's
landing pages) is sent to its own unit's page instead of a 404 (`assessment.marks.views.reporter_redirect`).

Every view asks this module: `require(visible=…, allowed=…)` for the page, `get_visible_or_404` and
`deny_unless` for one object; the API's permission class (`api_base.PortalPermission`) asks the same
predicates, templates get them as capability flags (`can`, see `capabilities`). Facts about an object's
state (whether a case can still be edited) come from the model, so each rule is written once. Services
ask the same predicates again and refuse with a `DomainError` (in Chinese) when called past a view.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.functional import cached_property

STAFF_GROUP = "市信用办"
REPORTER_GROUP = "责任单位填报员"
LEADER_GROUP = "领导"
AUDITOR_GROUP = "审计员"

STAFF, REPORTER, LEADER, ANONYMOUS, NO_ROLE = "staff", "reporter", "leader", "anonymous", "none"
# The security auditor reads the audit log and nothing else of the portal (separate duties).
AUDITOR = "auditor"

NOT_FOUND = "没有找到该页面，或不在本账号可见的范围内。"
READ_ONLY = "领导账号只能查看，不能修改。"
OFFICE_ONLY = "只有市信用办可以进行这项操作。"
OWN_UNIT_ONLY = "只有本单位的填报账号可以进行此操作。"
ACCOUNT_NOT_MANAGEABLE = "可以进入后台的管理员账号由系统管理员在后台管理，市信用办不能在此修改。"

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


# --- roles


def role_of(user):
    """The user's role; superusers count as office staff. Cached on the user object."""
    if not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_kc_role", None)
    if cached:
        return cached
    names = set(user.groups.values_list("name", flat=True))
    if user.is_superuser or STAFF_GROUP in names:
        role = STAFF
    elif AUDITOR_GROUP in names:
        role = AUDITOR
    elif LEADER_GROUP in names:
        role = LEADER
    elif REPORTER_GROUP in names and hasattr(user, "reporter"):
        role = REPORTER
    else:
        role = NO_ROLE
    user._kc_role = role
    return role


def has_role(user):
    """Signed in with one of the portal's roles."""
    return role_of(user) in (STAFF, REPORTER, LEADER)


def is_staff(user):
    return role_of(user) == STAFF


def is_reporter(user):
    return role_of(user) == REPORTER


def is_read_only(user):
    """Leaders read everything and change nothing."""
    return role_of(user) == LEADER


def reporter_unit_id(user):
    return user.reporter.unit_id if role_of(user) == REPORTER else None


def denied_message(user):
    """Why a visible thing may not be changed: a leader reads only; otherwise it is the office's work."""
    return READ_ONLY if role_of(user) == LEADER else OFFICE_ONLY


# --- reach (404 outside it)


def can_read_all(user):
    """Pages and rows about every unit: the office and leaders."""
    return role_of(user) in (STAFF, LEADER)


def _unit_id(unit_or_id):
    return getattr(unit_or_id, "pk", unit_or_id)


def can_view_unit(user, unit_or_id):
    """A unit's own things: everyone who reads all units, and the unit's reporter."""
    if can_read_all(user):
        return True
    own = reporter_unit_id(user)
    return own is not None and str(own) == str(_unit_id(unit_or_id))


def can_view_case(user, case):
    return can_view_unit(user, case.source_unit_id)


def can_view_issue(user, issue):
    """A published issue is public; a draft is the office's."""
    return issue.is_published or can_manage(user)


def scope(queryset, user, unit_field):
    """The rows of `queryset` within the user's reach.

    unit_field: the lookup from a row to its Unit ("unit", "source_unit", "pk"…), or None for rows that
    belong to no unit (categories): every role reads those.
    """
    if can_read_all(user):
        return queryset
    if is_reporter(user):
        if unit_field is None:
            return queryset
        return queryset.filter(**{unit_field: reporter_unit_id(user)}).distinct()
    return queryset.none()


# --- actions (403 when visible but not allowed)


def can_edit_marks(user):
    """The entry grid, bulk changes, undo, a new year's marks."""
    return is_staff(user)


def can_manage(user):
    """The office's work: imports and exports, API tokens, the composer, reminders, deductions, year close."""
    return is_staff(user)


def can_write_cases(user):
    """Fill in a new case: the office for any unit, a reporter for its own."""
    return role_of(user) in (STAFF, REPORTER)


def can_set_case_source(user):
    """Record a case for any unit or for a source that is not a unit (the office); a reporter's is its own."""
    return is_staff(user)


def can_act_on_case(user, case):
    """Change or move a case at all (its status decides the rest): the office, or the case's own unit."""
    return is_staff(user) or (is_reporter(user) and can_view_case(user, case))


def can_edit_case(user, case):
    """Change a case's text now: the office always, the unit while the case is its to edit."""
    return is_staff(user) or (can_act_on_case(user, case) and case.unit_edit_refusal is None)


def can_submit_case(user, case):
    return can_act_on_case(user, case) and case.can_submit


def can_withdraw_case(user, case):
    return can_act_on_case(user, case) and case.can_withdraw


def can_review_cases(user):
    """Accept and return cases, mark them for the bulletin, record offline counts."""
    return is_staff(user)


def can_request(user, mark):
    """Ask the office to change a * item: only the unit's own reporter."""
    return is_reporter(user) and reporter_unit_id(user) == mark.unit_id


def can_decide_requests(user):
    return is_staff(user)


def can_audit(user):
    """Read and export the security audit log: the auditor role (审计员) only, not even the office."""
    return role_of(user) == AUDITOR


def can_manage_accounts(user):
    """Create, deactivate, unlock and reset the portal's accounts: the office."""
    return is_staff(user)


def can_manage_account(user, account):
    """One account: the office, except accounts that open /admin/ (the IT administrator's, kept there)."""
    return can_manage_accounts(user) and not (account.is_staff or account.is_superuser)


# --- for views


def require(visible=has_role, allowed=None, *, write=None, message=None):
    """A view decorator: login first, then 404 unless `visible(user)`, then 403 unless `allowed(user)`.

    write: a predicate checked only for POST and other changing methods (a page everyone in reach reads,
    only some may send). message: the 403's text (default: `denied_message`).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if visible is not None and not visible(user):
                raise Http404(NOT_FOUND)
            changing = request.method not in SAFE_METHODS
            if (allowed is not None and not allowed(user)) or (changing and write is not None and not write(user)):
                raise PermissionDenied(message or denied_message(user))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def get_visible_or_404(user, queryset, visible, **lookup):
    """One object of `queryset` by `lookup`, or 404 if it does not exist or `visible(user, obj)` says no."""
    obj = queryset.filter(**lookup).first()
    if obj is None or not visible(user, obj):
        raise Http404(NOT_FOUND)
    return obj


def get_unit_or_404(user, pk):
    """The unit `pk` if it is within the user's reach."""
    from .models import Unit  # models import nothing of this module; loaded lazily to keep it light

    if not str(pk).isdigit():
        raise Http404(NOT_FOUND)
    return get_visible_or_404(user, Unit.objects.select_related("category"), can_view_unit, pk=pk)


def deny_unless(allowed, user, message=None):
    """403 (with `message`, or why the user may not) unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message or denied_message(user))


# --- for templates


class Capabilities:
    """What the signed-in user may do, as attributes for templates (`{% if can.manage %}`)."""

    def __init__(self, user):
        self._user = user

    @cached_property
    def signed_in(self):
        return has_role(self._user)

    @cached_property
    def read_all(self):
        return can_read_all(self._user)

    @cached_property
    def edit_marks(self):
        return can_edit_marks(self._user)

    @cached_property
    def manage(self):
        return can_manage(self._user)

    @cached_property
    def review_cases(self):
        return can_review_cases(self._user)

    @cached_property
    def write_cases(self):
        return can_write_cases(self._user)

    @cached_property
    def decide_requests(self):
        return can_decide_requests(self._user)

    @cached_property
    def audit(self):
        return can_audit(self._user)

    @cached_property
    def manage_accounts(self):
        return can_manage_accounts(self._user)

    @cached_property
    def is_unit_reporter(self):
        """A reporter: its pages are its own unit's."""
        return is_reporter(self._user)

    @cached_property
    def unit_id(self):
        return reporter_unit_id(self._user)


def capabilities(user):
    return Capabilities(user)


# The two guards most pages share, made once (views name them locally).
read_all_required = require(visible=can_read_all)
manage_required = require(visible=can_read_all, allowed=can_manage)
