"""Links that differ by one id, reversed once per page (issue 25: no reversal per row or cell).

A list of 100 rows with `{% url 'units:detail' unit.pk %}` reverses 100 times (~20 µs each, the same at every
size); `IdLink("units:detail")` reverses once, with 0 in the id's place, and each row writes
`{{ link.prefix }}{{ unit.pk }}{{ link.suffix }}` (or `link.url(pk)` in Python). The URL is the resolver's own, so
a changed pattern changes every row with it.
"""

from django.urls import reverse


class IdLink:
    """The URL named `name` (with the leading `args`) around a last argument that is an id."""

    __slots__ = ("prefix", "suffix")

    def __init__(self, name, *args):
        url = reverse(name, args=[*args, 0])
        at = url.rindex("/0/") + 1
        self.prefix, self.suffix = url[:at], url[at + 1 :]

    def url(self, pk):
        return f"{self.prefix}{pk}{self.suffix}"
