"""{% follow_button unit=… %} / {% follow_button indicator=… %} (object or id): staff and leaders follow."""

from django import template

from ..follows import can_follow, followed_ids

register = template.Library()


@register.inclusion_tag("notify/_follow_button.html", takes_context=True)
def follow_button(context, unit=None, indicator=None):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can_follow(user):
        return {"shown": False}
    # One query per page, however many buttons it has.
    if not hasattr(request, "_kc_followed"):
        request._kc_followed = followed_ids(user)
    units, indicators = request._kc_followed
    unit_id, indicator_id = getattr(unit, "pk", unit), getattr(indicator, "pk", indicator)
    following = (unit_id in units) if unit_id is not None else (indicator_id in indicators)
    return {
        "shown": True,
        "csrf_token": context.get("csrf_token"),
        "unit_id": unit_id,
        "indicator_id": indicator_id,
        "following": following,
        "next": request.get_full_path(),
    }
