"""/system/jobs/: the IT administrator sees every scheduled job with its last run; late or failed in red."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from core import access
from core.jobs.models import JobRun
from core.jobs.runs import job_states

RECENT = 30


@require_safe
@access.require(visible=access.can_see_system)
def job_list(request):
    states = job_states()
    failures = JobRun.objects.filter(result=JobRun.Result.FAILED)[:RECENT]
    return render(
        request,
        "system/jobs.html",
        {"states": states, "failures": failures, "all_ok": all(s.ok for s in states)},
    )
