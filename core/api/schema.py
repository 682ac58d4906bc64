"""How the OpenAPI schema describes the API where drf-spectacular cannot tell by itself.

`PortalAutoSchema` (DEFAULT_SCHEMA_CLASS): a route marked `public = True` (published issues) is read without
signing in, so its reads list the empty security requirement too. `PortalSessionScheme`: the session login
of `core.api.http.PortalSessionAuthentication` is the cookie scheme of DRF's own.
"""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import SAFE_METHODS


class PortalAutoSchema(AutoSchema):
    def get_auth(self):
        auth = super().get_auth()
        if getattr(self.view, "public", False) and self.method in SAFE_METHODS and {} not in auth:
            auth.append({})
        return auth


class PortalSessionScheme(SessionScheme):
    target_class = "core.api.http.PortalSessionAuthentication"
