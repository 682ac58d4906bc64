"""Links that differ by one id, reversed once per page (issue 25: no reversal per row or cell); links that every
request of a page draws the same (a category's grid, an issue's page), reversed once a process (`reversed_url`).

A list of 100 rows with `{% url 'units:detail' unit.pk %}` reverses 100 times (~20 µs each, the same at every
size); `IdLink("units:detail")` reverses once, with 0 in the id's place, and each row writes
`{{ link.prefix }}{{ unit.pk }}{{ link.suffix }}` (or `link.url(pk)` in Python). The URL is the resolver's own, so
a changed pattern changes every row with it.
"""

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

#: Reversed links kept before the store starts afresh (their arguments are years, categories, issues: a few).
KEPT = 4096
_reversed = {}


def url_key():
    """What a reversed URL depends on besides its name and arguments: this request's URL configuration and script
    prefix."""
    return get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()


def reversed_url(name, *args):
    """`reverse(name, args=args)`, kept per URL configuration and script prefix (`url_key`): a link a page draws on
    every request costs a reversal (~0.1 ms) once a process."""
    key = (*url_key(), name, args)
    found = _reversed.get(key)
    if found is None:
        if len(_reversed) >= KEPT:
            _reversed.clear()
        found = _reversed[key] = reverse(name, args=list(args))
    return found


class IdLink:
    """The URL named `name` (with the leading `args`) around a last argument that is an id."""

    __slots__ = ("prefix", "suffix")

    def __init__(self, name, *args):
        url = reverse(name, args=[*args, 0])
        at = url.rindex("/0/") + 1
        self.prefix, self.suffix = url[:at], url[at + 1 :]

    def url(self, pk):
        return f"{self.prefix}{pk}{self.suffix}"
