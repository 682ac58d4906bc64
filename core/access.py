"""Who may see and do what: the base of the portal's one access policy (roles, reach, the view decorator).

Roles are Django groups (created by core's migrations): office staff (市信用办) change everything, a unit
reporter acts on its own unit only, leaders read everything and change nothing, the auditor reads the
audit log and nothing else, the security administrator (安全管理员) manages accounts and lifts lockouts and
nothing else. A signed-in account in none of these groups has no role and reaches nothing but the public
pages and its password.

Separated duties (三员分立): the IT administrator's accounts (is_staff or superuser, the ones that open
/admin/) repair through the admin and the system page and have no business role, whatever their groups:
404 on every office page. Account and lockout management is the security administrator's group; an office
account may also be put in it (the office's role, and the duty), never an auditor's or an admin account.

The rule, the same for every page and API route:

- anonymous → the login page (pages) or 401 (API); public pages (published issues) answer anyway;
- outside one's reach → 404: another unit's object, a page about all units for a reporter, an
  unpublished issue for anyone but the office, anything for an account without role;
- visible but not allowed → 403: a leader trying to change something, a reporter doing the office's
  work on something it can see.

Every view asks: `require(visible=…, allowed=…)` for the page, `get_visible_or_404` and `deny_unless` for
one object; the API's permission class (`core.api.base.PortalPermission`) asks the same predicates,
templates get them as capability flags (`can`). This module knows no app above it: which unit a
reporter's account belongs to is told by the app whose accounts belong to units (`register_unit_of`,
from assessment's AppConfig.ready), and the predicates about a unit, a case or an issue are
`assessment.access`, built on these.
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
SECURITY_GROUP = "安全管理员"
#: Every role's group, in the order the office reads them (created by core's migrations).
GROUPS = (STAFF_GROUP, REPORTER_GROUP, LEADER_GROUP, AUDITOR_GROUP, SECURITY_GROUP)

STAFF, REPORTER, LEADER, ANONYMOUS, NO_ROLE = "staff", "reporter", "leader", "anonymous", "none"
# The security auditor reads the audit log and nothing else of the portal (separate duties).
AUDITOR = "auditor"
# The security administrator manages accounts and lockouts and nothing else of the portal.
SECURITY = "security"
# The IT administrator (an is_staff or superuser account): the admin and the system page, no business page.
IT_ADMIN = "it_admin"

NOT_FOUND = "没有找到该页面，或不在本账号可见的范围内。"
READ_ONLY = "领导账号只能查看，不能修改。"
OFFICE_ONLY = "只有市信用办可以进行这项操作。"
OWN_UNIT_ONLY = "只有本单位的填报账号可以进行此操作。"
ACCOUNT_NOT_MANAGEABLE = "可以进入后台的管理员账号由系统管理员在后台管理，不能在此修改。"
ACCOUNTS_ONLY = "只有安全管理员可以管理账号和解除登录锁定。"

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


# --- the unit an account belongs to (told by a higher app)

_unit_of = None


def register_unit_of(function):
    """Called from an AppConfig.ready: `function(user)` gives the id of the unit the account reports for,
    or None. Without it no account is a reporter."""
    global _unit_of
    _unit_of = function


def account_unit_id(user):
    """The unit the account reports for (whatever its groups), or None."""
    return _unit_of(user) if _unit_of is not None else None


# --- roles


def _group_names(user):
    """The names of the account's groups, cached on the user object."""
    cached = getattr(user, "_kc_groups", None)
    if cached is None:
        cached = user._kc_groups = frozenset(user.groups.values_list("name", flat=True))
    return cached


def is_admin_account(user):
    """An account that opens /admin/ (is_staff or superuser): the IT administrator's."""
    return bool(user.is_staff or user.is_superuser)


def role_of(user):
    """The user's role; an account that opens /admin/ is the IT administrator's whatever its groups (三员分立).
    Cached on the user object."""
    if not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_kc_role", None)
    if cached:
        return cached
    names = _group_names(user)
    if is_admin_account(user):
        role = IT_ADMIN
    elif STAFF_GROUP in names:
        role = STAFF
    elif AUDITOR_GROUP in names:
        role = AUDITOR
    elif SECURITY_GROUP in names:
        role = SECURITY
    elif LEADER_GROUP in names:
        role = LEADER
    elif REPORTER_GROUP in names and account_unit_id(user) is not None:
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
    return account_unit_id(user) if role_of(user) == REPORTER else None


def denied_message(user):
    """Why a visible thing may not be changed: a leader reads only; otherwise it is the office's work."""
    return READ_ONLY if role_of(user) == LEADER else OFFICE_ONLY


# --- reach (404 outside it)


def can_read_all(user):
    """Pages and rows about every unit: the office and leaders."""
    return role_of(user) in (STAFF, LEADER)


def scope(queryset, user, unit_field):
    """The rows of `queryset` within the user's reach.

    unit_field: the lookup from a row to its unit ("unit", "source_unit", "pk"…), or None for rows that
    belong to no unit (categories): every role reads those.
    """
    if can_read_all(user):
        return queryset
    if is_reporter(user):
        if unit_field is None:
            return queryset
        queryset = queryset.filter(**{unit_field: reporter_unit_id(user)})
        # DISTINCT only through a many-valued relation (a scheme's units): on a plain foreign key it would
        # only make the database sort every row of the unit before the page (no index can give its order).
        return queryset.distinct() if _many_valued(queryset.model, unit_field) else queryset
    return queryset.none()


def _many_valued(model, lookup):
    """Whether `lookup` (e.g. "scheme_units__unit") crosses a relation with several rows per row of `model`."""
    for name in lookup.split("__"):
        if name == "pk":
            return False
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


# --- actions (403 when visible but not allowed)


def can_manage(user):
    """The office's work: imports and exports, API tokens, the composer, reminders, deductions, year close."""
    return is_staff(user)


def can_audit(user):
    """Read and export the security audit log: the auditor role (审计员) only, not even the office."""
    return role_of(user) == AUDITOR


def can_manage_accounts(user):
    """Create, deactivate, unlock and reset the portal's accounts, lift an address's lockout: the security
    administrator's duty (安全管理员 group), which an office account may also be given; never the auditor's
    nor the IT administrator's (三员分立)."""
    if role_of(user) in (ANONYMOUS, IT_ADMIN, AUDITOR):
        return False
    return user.is_active and SECURITY_GROUP in _group_names(user)


def can_manage_account(user, account):
    """One account: the security administrator, except accounts that open /admin/ (the IT administrator's,
    kept there)."""
    return can_manage_accounts(user) and not is_admin_account(account)


def can_see_system(user):
    """The portal's running state (scheduled jobs): the IT administrator, whose account opens /admin/."""
    return user.is_active and role_of(user) == IT_ADMIN


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


def deny_unless(allowed, user, message=None):
    """403 (with `message`, or why the user may not) unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message or denied_message(user))


# --- for templates


class Capabilities:
    """What the signed-in user may do, as attributes for templates (`{% if can.manage %}`).

    Higher layers subclass it with their own flags (`assessment.access.Capabilities`)."""

    def __init__(self, user):
        self._user = user

    @cached_property
    def signed_in(self):
        return has_role(self._user)

    @cached_property
    def read_all(self):
        return can_read_all(self._user)

    @cached_property
    def manage(self):
        return can_manage(self._user)

    @cached_property
    def audit(self):
        return can_audit(self._user)

    @cached_property
    def manage_accounts(self):
        return can_manage_accounts(self._user)

    @cached_property
    def system(self):
        return can_see_system(self._user)

    @cached_property
    def is_unit_reporter(self):
        """A reporter: its pages are its own unit's."""
        return is_reporter(self._user)

    @cached_property
    def unit_id(self):
        return reporter_unit_id(self._user)


# The two guards most pages share, made once (views name them locally).
read_all_required = require(visible=can_read_all)
manage_required = require(visible=can_read_all, allowed=can_manage)
