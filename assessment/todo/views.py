"""/todo/ (待办): what is waiting for the signed-in user, each entry linking to where it is done."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from assessment import access

from .menu import TodoCount
from .registry import todo_for


@require_safe
@access.require(visible=None)
def todo(request):
    """The first page after login (LOGIN_REDIRECT_URL). An account without a portal role has no to-do list and
    lands on its own duty's page: the auditor the audit log, the security administrator the accounts, the IT
    administrator the scheduled jobs; any other account the public home."""
    user = request.user
    if not access.has_role(user):
        if access.can_audit(user):
            return redirect("audit:list")
        if access.can_manage_accounts(user):
            return redirect("accounts:list")
        return redirect("system:jobs" if access.can_see_system(user) else "home")
    sections = todo_for(request.user)
    request.todo = TodoCount(request.user, sections)
    return render(request, "todo/todo.html", {"sections": sections, "title": "待办"})
