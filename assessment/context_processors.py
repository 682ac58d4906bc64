from . import access


def capabilities(request):
    """`can` for templates: what the user may do (`{% if can.manage %}`), never a role name."""
    return {"can": access.capabilities(request.user)}


def todo(request):
    """`todo` for templates: the menu's 待办 count, computed at most once per request (assessment.todo)."""
    from .todo.menu import todo_count

    return {"todo": todo_count(request)}
