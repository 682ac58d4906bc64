"""core.links.IdLink: one reversal a page gives every row's link, the same as reversing each."""

import pytest
from django.urls import reverse

from core.links import IdLink


@pytest.mark.parametrize(
    ("name", "args"),
    [("units:detail", ()), ("units:urge", ()), ("assessment:mark_history", ()), ("scores:unit", (2019,))],
)
def test_a_link_pattern_gives_each_ids_url(name, args):
    link = IdLink(name, *args)
    for pk in (1, 7, 40, 12345):
        assert link.url(pk) == f"{link.prefix}{pk}{link.suffix}" == reverse(name, args=[*args, pk])


def test_the_id_is_the_last_argument_even_when_a_leading_one_is_zero_like():
    link = IdLink("scores:unit", 2010)
    assert link.url(3) == reverse("scores:unit", args=[2010, 3])
