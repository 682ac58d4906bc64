"""At province scale the entry grid shows a page of units at a time, every cell with its history link."""

import re

import pytest

from assessment.models import Mark

from .conftest import MENU_TODO_QUERIES, log_in
from .factories import multiply_units

pytestmark = pytest.mark.django_db

URL = "/assessment/2019/departments/"


def test_the_grid_shows_100_units_a_page_with_working_history_links(client, staff_user, django_assert_max_num_queries):
    multiply_units(3)  # 162 departments
    log_in(client, staff_user)
    with django_assert_max_num_queries(19 + MENU_TODO_QUERIES["staff"]):
        html = client.get(URL).content.decode()
    assert html.count("<tr data-unit=") == 100
    assert 'rel="next"' in html and "共 162 个" in html
    pk = int(re.search(r'data-mark="(\d+)"', html)[1])
    assert f'href="/assessment/marks/{pk}/history/"' in html
    assert client.get(f"/assessment/marks/{pk}/history/").status_code == 200
    second = client.get(URL + "?page=2").content.decode()
    assert second.count("<tr data-unit=") == 62 and 'rel="prev"' in second
    # A filter covers every unit, not only the page shown.
    last = Mark.objects.filter(indicator__scheme__category__slug="departments").order_by("-unit__order").first()
    found = client.get(URL, {"q": last.unit.name}).content.decode()
    assert f'data-unit="{last.unit_id}"' in found
