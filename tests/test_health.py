"""/healthz for nginx and monitors, HEAD wherever GET is allowed, and the cache table whatever the backend."""

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone

from core.jobs.models import JobRun
from core.jobs.registry import all_jobs


def _all_jobs_ran():
    # Each job's run as run_job records it (tests/test_jobs.py runs them); running them here would make two
    # backups within one second, which the second refuses.
    now = timezone.now()
    JobRun.objects.bulk_create(
        JobRun(job=job.name, started_at=now, finished_at=now, result=JobRun.Result.OK) for job in all_jobs()
    )


@pytest.mark.django_db
def test_healthz_answers_ok_without_a_session_or_a_cookie(client, media_root, django_assert_max_num_queries):
    _all_jobs_ran()
    with django_assert_max_num_queries(20):
        response = client.get("/healthz")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert set(body["checks"]) == {"database", "cache", "media", "jobs"}
    assert all(check["message"] == "正常" for check in body["checks"].values())
    assert not response.cookies and "no-cache" in response["Cache-Control"]
    assert client.head("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_names_the_failed_check_in_chinese(client, settings, tmp_path, media_root):
    _all_jobs_ran()
    JobRun.objects.filter(job="backup").update(result=JobRun.Result.FAILED)
    readonly = tmp_path / "readonly"
    readonly.write_text("a file where the media directory should be")
    settings.MEDIA_ROOT = readonly / "media"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["media", "jobs"]
    assert body["checks"]["media"]["message"] == "附件存储无法写入"
    assert "backup（上次运行失败）" in body["checks"]["jobs"]["message"]
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]


@pytest.mark.django_db
def test_jobs_that_never_ran_fail_the_health_check(client, media_root):
    body = client.get("/healthz").json()
    assert body["failed"] == ["jobs"] and "从未运行" in body["checks"]["jobs"]["message"]


@pytest.mark.parametrize("url", ["/", "/bulletins/2019/11/", "/bulletins/", "/accounts/login/"])
def test_head_answers_wherever_get_does(client, url, django_db_setup, db):
    get, head = client.get(url), client.head(url)
    assert get.status_code == 200 and head.status_code == 200
    assert head.content == b""


@pytest.mark.django_db
def test_the_cache_table_is_made_even_when_migrate_ran_with_redis(settings):
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE kc_cache")
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": ""}}
    migration = importlib.import_module("core.security.migrations.0003_cache_table_always")
    migration.create_cache_table(None, SimpleNamespace(connection=connection))
    assert "kc_cache" in connection.introspection.table_names()
