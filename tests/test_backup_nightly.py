"""The nightly backup as the job runs it: a dated, signed archive in the backup directory, old ones pruned,
a forged or unsigned archive refused, a full disk told in Chinese with nothing left behind."""

import datetime
import io
import os
import resource
import signal
import tarfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.jobs.models import JobRun
from kunshan_credit.backup import DATABASE, MANIFEST, SIGNATURE, archives

from .factories import UserFactory
from .test_backup import _member, _rewrite, _with_sums


@pytest.fixture
def backup_dir(settings, tmp_path, media_root):
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.BACKUP_DIR


def _names(directory):
    return sorted(p.name for p in directory.iterdir())


@pytest.mark.django_db
def test_the_nightly_job_writes_a_dated_archive_each_night_into_the_same_directory(backup_dir):
    call_command("run_job", "backup", stdout=io.StringIO())
    first = _names(backup_dir)
    assert len(first) == 1 and first[0].startswith("kunshan_credit-") and first[0].endswith(".tar.gz")
    os.rename(backup_dir / first[0], backup_dir / "kunshan_credit-20261205-021500.tar.gz")  # last night's
    call_command("run_job", "backup", stdout=io.StringIO())  # the directory exists: tonight's goes beside it
    assert len(_names(backup_dir)) == 2
    assert list(JobRun.objects.filter(job="backup").values_list("result", flat=True)) == ["ok", "ok"]
    with tarfile.open(archives(backup_dir)[0][1], "r:gz") as archive:
        assert archive.getnames()[-2:] == [MANIFEST, SIGNATURE]


@pytest.mark.django_db
def test_the_offsite_command_copies_each_archive_and_its_failure_fails_the_job(backup_dir, settings, tmp_path):
    offsite = tmp_path / "offsite"
    offsite.mkdir()
    settings.BACKUP_OFFSITE_COMMAND = f"cp {{archive}} {offsite}/"
    call_command("run_job", "backup", stdout=io.StringIO())
    assert _names(offsite) == _names(backup_dir)
    os.rename(archives(backup_dir)[0][1], backup_dir / "kunshan_credit-20261205-021500.tar.gz")  # last night's
    settings.BACKUP_OFFSITE_COMMAND = f"cp {{archive}} {tmp_path}/missing/"
    with pytest.raises(CommandError, match="运行失败"):
        call_command("run_job", "backup", stdout=io.StringIO())
    run = JobRun.objects.filter(job="backup").first()
    assert run.result == JobRun.Result.FAILED and "异地复制命令失败（退出码 1）" in run.output
    assert len(_names(backup_dir)) == 2  # the archive itself stays


@pytest.mark.django_db
def test_old_archives_are_pruned_by_count_and_age(backup_dir, settings):
    settings.BACKUP_KEEP_COUNT, settings.BACKUP_KEEP_DAYS = 3, 5
    backup_dir.mkdir()
    today = timezone.localdate()
    for back in range(10):
        day = today - datetime.timedelta(days=back)
        (backup_dir / f"kunshan_credit-{day:%Y%m%d}-021500.tar.gz").write_bytes(b"x")
    (backup_dir / "notes.txt").write_text("not an archive")
    out = io.StringIO()
    call_command("prune_backups", "--dry-run", stdout=out)
    assert "试运行：4 个旧备份将被删除" in out.getvalue() and len(_names(backup_dir)) == 11
    call_command("run_job", "prune_backups", stdout=io.StringIO())
    kept = _names(backup_dir)
    # Within 5 days (today and the 5 days before) are kept even beyond the newest 3; the rest go.
    assert len(kept) == 7 and "notes.txt" in kept
    assert f"kunshan_credit-{today - datetime.timedelta(days=5):%Y%m%d}-021500.tar.gz" in kept
    assert f"kunshan_credit-{today - datetime.timedelta(days=6):%Y%m%d}-021500.tar.gz" not in kept


@pytest.mark.django_db
def test_restore_refuses_an_unsigned_a_forged_or_another_keys_archive(backup_dir, settings, tmp_path):
    UserFactory(username="t_locked_out", is_active=False)
    call_command("backup", stdout=io.StringIO())
    archive = archives(backup_dir)[0][1]
    # A row changed and the manifest's sums recomputed, without the key: the old signature no longer fits.
    changed = _rewrite(
        archive, tmp_path / "changed.tar.gz", lambda n, b: b.replace(b'"is_active": false', b'"is_active": true')
    )
    assert _member(changed, DATABASE) != _member(archive, DATABASE)
    forged = _with_sums(changed, tmp_path / "forged.tar.gz", signed=False)
    unsigned = _rewrite(archive, tmp_path / "unsigned.tar.gz", lambda n, b: None if n == SIGNATURE else b)
    with pytest.raises(CommandError, match="签名不符"):
        call_command("restore", str(forged), stdout=io.StringIO())
    with pytest.raises(CommandError, match="没有签名"):
        call_command("restore", str(unsigned), stdout=io.StringIO())
    settings.BACKUP_KEY = "another-office-key"
    with pytest.raises(CommandError, match="签名密钥（DJANGO_BACKUP_KEY）与备份时不同"):
        call_command("restore", str(archive), stdout=io.StringIO())
    settings.BACKUP_KEY = ""
    with pytest.raises(CommandError, match="未设置备份签名密钥"):
        call_command("backup", stdout=io.StringIO())


@pytest.mark.django_db
def test_a_full_disk_gives_a_chinese_error_and_leaves_no_file(backup_dir, media_root):
    media_root.mkdir(parents=True)
    (media_root / "large.pdf").write_bytes(os.urandom(512 * 1024))
    backup_dir.mkdir()
    # The disk fills at 256 KB: the kernel refuses writes beyond it (EFBIG), as a full disk refuses (ENOSPC).
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, limits[1]))
    try:
        with pytest.raises(CommandError, match="磁盘空间不足") as refused:
            call_command("backup", stdout=io.StringIO())
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, previous)
    assert "未留下不完整的文件" in str(refused.value)
    assert _names(backup_dir) == []
