"""Who may see and change what: the one place that knows the roles.

Roles are Django groups (created by a migration): office staff edit everything,
a unit reporter acts on its own unit only, leaders read everything and change nothing.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

STAFF_GROUP = "市信用办"
REPORTER_GROUP = "责任单位填报员"
LEADER_GROUP = "领导"

STAFF, REPORTER, LEADER, ANONYMOUS = "staff", "reporter", "leader", "anonymous"


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
    elif LEADER_GROUP in names:
        role = LEADER
    elif REPORTER_GROUP in names and hasattr(user, "reporter"):
        role = REPORTER
    else:
        role = ANONYMOUS
    user._kc_role = role
    return role


def is_staff(user):
    return role_of(user) == STAFF


def can_read_all(user):
    return role_of(user) in (STAFF, LEADER)


def reporter_unit_id(user):
    return user.reporter.unit_id if role_of(user) == REPORTER else None


def get_unit_for_user(request, pk, *, write=False):
    """The unit `pk` if the user may see it: 404 outside one's reach, 403 where only reading is allowed."""
    from .models import Unit

    role = role_of(request.user)
    if role == ANONYMOUS or (role == REPORTER and reporter_unit_id(request.user) != int(pk)):
        raise Http404("没有找到该单位。")
    unit = get_object_or_404(Unit.objects.select_related("category"), pk=pk)
    if write and role == LEADER:
        raise PermissionDenied("领导账号只能查看，不能修改。")
    return unit


def check_read_all(request, *, write=False):
    """Pages about every unit (the entry grid, a year's overview): staff and leaders only.

    404 for reporters and accounts without a role, 403 for a leader trying to change something.
    Anonymous users never get here: those views are behind `login_required`.
    """
    role = role_of(request.user)
    if role not in (STAFF, LEADER):
        raise Http404("没有找到该页面。")
    if write and role == LEADER:
        raise PermissionDenied("领导账号只能查看，不能修改。")
    return role
