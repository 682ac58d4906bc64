"""The menu's 待办 count: computed once per request, and only when a page shows it."""

from django.utils.functional import cached_property

from .registry import count_for, menu_total


class TodoCount:
    """`todo` for templates: `{{ todo.count }}` asks the sources once (or reuses the page's sections)."""

    def __init__(self, user, sections=None):
        self._user = user
        self._sections = sections

    @cached_property
    def count(self):
        if self._sections is not None:
            return menu_total(self._sections)
        return count_for(self._user)


def todo_count(request):
    menu = getattr(request, "todo", None)
    if menu is None:
        menu = request.todo = TodoCount(request.user)
    return menu
