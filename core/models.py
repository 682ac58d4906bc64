"""The platform's own model: the office row (the portal's identity as data)."""

from core.office.models import Office  # noqa: F401
