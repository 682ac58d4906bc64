from core.office.models import get_office


def office(request):
    """`office` for templates: the office's names and titles (data, never code)."""
    return {"office": get_office()}
