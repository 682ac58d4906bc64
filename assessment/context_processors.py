from . import access
from .office import get_office


def capabilities(request):
    """`can` for templates: what the user may do (`{% if can.manage %}`), never a role name."""
    return {"can": access.capabilities(request.user)}


def office(request):
    """`office` for templates: the office's names and titles (data, never code)."""
    return {"office": get_office()}
