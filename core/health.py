"""/healthz for nginx and monitors: cheap, reads no data, opens no session, needs no login.

Each check answers in Chinese under an ASCII key: the database answers, the cache keeps a value, the media
storage takes a file, the scheduled jobs ran in time (`core.jobs.runs`). 200 when all pass, else 503;
`GET` and `HEAD`.
"""

import uuid

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core import stored_files
from core.jobs.runs import job_states

OK = "正常"


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def check_cache():
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 30)
    try:
        if cache.get(key) != value:
            return "缓存未保存写入的值"
    finally:
        cache.delete(key)
    return None


def check_media():
    # Through core.stored_files, as every file: a full disk leaves no 0-byte probe per check behind.
    name = stored_files.write(default_storage, f".healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)
    return None


def check_jobs():
    late = [f"{s.job.name}（{s.status}）" for s in job_states() if not s.ok]
    return "定时任务异常：" + "、".join(late) if late else None


CHECKS = {
    "database": (check_database, "数据库无法访问"),
    "cache": (check_cache, "缓存无法访问"),
    "media": (check_media, "附件存储无法写入"),
    "jobs": (check_jobs, "定时任务状态无法读取"),
}


def run_checks():
    """{key: (passed, message in Chinese)} of every check, in order."""
    results = {}
    for key, (check, failure) in CHECKS.items():
        try:
            problem = check()
        except Exception:  # noqa: BLE001 - any failure is the check's answer; the message stays Chinese
            problem = failure
        results[key] = (problem is None, problem or OK)
    return results


@never_cache
@require_safe
def healthz(request):
    results = run_checks()
    healthy = all(passed for passed, _ in results.values())
    body = {
        "status": "ok" if healthy else "failed",
        "message": "运行正常" if healthy else "有检查未通过",
        "checks": {key: {"ok": passed, "message": message} for key, (passed, message) in results.items()},
        "failed": [key for key, (passed, _) in results.items() if not passed],
    }
    return JsonResponse(body, status=200 if healthy else 503, json_dumps_params={"ensure_ascii": False})
