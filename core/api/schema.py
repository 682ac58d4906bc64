"""How the OpenAPI schema describes the API where drf-spectacular cannot tell by itself.

`PortalAutoSchema` (DEFAULT_SCHEMA_CLASS): a route marked `public = True` (published issues) is read without
signing in, so its reads list the empty security requirement too; a nested list of objects (`many=True`) says
how many items it takes (`allow_empty=False`, `min_length`, `max_length`), which drf-spectacular leaves out, so
that an empty batch is a request the schema itself refuses; a text field a client writes (`TextField`) says it
takes no control characters (`pattern`). `PortalSessionScheme`: the session login
of `core.api.http.PortalSessionAuthentication` is the cookie scheme of DRF's own.
"""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import is_list_serializer
from rest_framework.permissions import SAFE_METHODS

from core.api.fields import NO_CONTROL_PATTERN, TextField


class PortalAutoSchema(AutoSchema):
    def get_auth(self):
        auth = super().get_auth()
        if getattr(self.view, "public", False) and self.method in SAFE_METHODS and {} not in auth:
            auth.append({})
        return auth

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if schema and direction == "request" and isinstance(field, TextField) and schema.get("type") == "string":
            schema.setdefault("pattern", NO_CONTROL_PATTERN)  # what refuse_control_characters refuses
        if schema and is_list_serializer(field) and schema.get("type") == "array":
            least = field.min_length if field.min_length is not None else (0 if field.allow_empty else 1)
            if least:
                schema["minItems"] = least
            if field.max_length is not None:
                schema["maxItems"] = field.max_length
        return schema


class PortalSessionScheme(SessionScheme):
    target_class = "core.api.http.PortalSessionAuthentication"
