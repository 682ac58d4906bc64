"""The platform's own models: the office row (the portal's identity as data), the runs of scheduled jobs, who
made each API token."""

from core.api.models import TokenGrant  # noqa: F401
from core.jobs.models import JobRun  # noqa: F401
from core.office.models import Office  # noqa: F401
