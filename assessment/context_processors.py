from . import access


def role(request):
    """`role` for templates: staff, reporter, leader or anonymous."""
    return {"role": access.role_of(request.user)}
