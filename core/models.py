"""The platform's own models: the office row (the portal's identity as data), the runs of scheduled jobs."""

from core.jobs.models import JobRun  # noqa: F401
from core.office.models import Office  # noqa: F401
