"""PortalPermission's `write_roles`: how the case endpoints will let reporters write their own unit's cases.

The case workflow (cases.services) is not on this branch; this drives the permission contract the lead
will use when wiring it: reporters create and update their own unit's cases, only staff accept.
"""

import pytest
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from assessment import access
from assessment.api_base import RoleScopedMixin
from cases.api import CaseSerializer
from cases.models import Case

from .factories import CaseFactory


class _CaseWrites(RoleScopedMixin, viewsets.GenericViewSet):
    queryset = Case.objects.all()
    serializer_class = CaseSerializer
    unit_field = "source_unit"
    write_roles = {
        "create": {access.STAFF, access.REPORTER},
        "partial_update": {access.STAFF, access.REPORTER},
        "accept": {access.STAFF},
    }

    def create(self, request):
        return Response(status=201)

    def partial_update(self, request, pk=None):
        self.get_object()
        return Response(status=200)

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        self.get_object()
        return Response(status=200)


def _call(user, method, action_name, pk=None):
    view = _CaseWrites.as_view({method: action_name}, detail=pk is not None)  # as the router does
    request = getattr(APIRequestFactory(), method)("/x/", {}, format="json")
    force_authenticate(request, user=user)
    return view(request, pk=pk) if pk else view(request)


@pytest.mark.parametrize(
    ("role", "create", "update_own", "accept_own"),
    [
        ("staff", 201, 200, 200),
        ("reporter", 201, 200, 403),
        ("other_reporter", 201, 404, 404),
        ("leader", 403, 403, 403),
    ],
)
def test_write_roles(request, reporter_unit, role, create, update_own, accept_own):
    user = request.getfixturevalue(f"{role}_user")
    case = CaseFactory(source_unit=reporter_unit, source_label="市发改委")
    assert _call(user, "post", "create").status_code == create
    assert _call(user, "patch", "partial_update", case.pk).status_code == update_own
    assert _call(user, "post", "accept", case.pk).status_code == accept_own
