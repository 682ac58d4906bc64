from . import access


def capabilities(request):
    """`can` for templates: what the user may do (`{% if can.manage %}`), never a role name."""
    return {"can": access.capabilities(request.user)}
