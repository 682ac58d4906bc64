"""Encrypted archives (DJANGO_BACKUP_ENCRYPTION_KEY): the nightly job writes only ciphertext, restore decrypts it,
a wrong or missing key and a changed byte are refused before anything is written; plain archives still restore."""

import io
import os
import resource
import signal
import tarfile

import pytest
from django.core.management import CommandError, call_command

from assessment.models import Mark, Unit
from cases.models import CaseAttachment
from kunshan_credit.backup import archives
from kunshan_credit.backup_crypto import CHUNK, MAGIC

from .test_backup import _counts, _empty_database_and_media, _office_work, _restore

KEY = "tests-only-encryption-key-0123456789abcdef"
OTHER_KEY = "tests-only-another-office-key-0123456789ab"


@pytest.fixture
def backup_dir(settings, tmp_path, media_root):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_ENCRYPTION_KEY = KEY
    return settings.BACKUP_DIR


def _nightly(backup_dir):
    call_command("run_job", "backup", stdout=io.StringIO())
    return archives(backup_dir)[0][1]


def _plain_bytes_inside(path, data):
    with open(path, "rb") as f:
        return data in f.read()


@pytest.mark.django_db(transaction=True)
def test_an_encrypted_archive_round_trips_and_the_offsite_copy_is_ciphertext(
    demo_db, staff_user, reporter_user, media_root, backup_dir, settings, tmp_path
):
    case = _office_work(staff_user, reporter_user)
    # An attachment larger than a chunk: the archive is sealed in several pieces.
    media_root.joinpath("cases", "large.bin").write_bytes(os.urandom(CHUNK * 2 + 12345))
    files = {a.file.name: a.file.read() for a in CaseAttachment.objects.filter(case=case)}
    offsite = tmp_path / "offsite"
    offsite.mkdir()
    settings.BACKUP_OFFSITE_COMMAND = f"cp {{archive}} {offsite}/"

    archive = _nightly(backup_dir)
    counts = _counts()  # the job's own run recorded too
    assert archive.name.endswith(".tar.gz.enc") and archive.stat().st_mode & 0o777 == 0o600
    copied = offsite / archive.name
    assert copied.read_bytes() == archive.read_bytes()
    assert copied.read_bytes().startswith(MAGIC)
    with pytest.raises(tarfile.TarError):
        tarfile.open(copied, "r:gz").close()
    assert not _plain_bytes_inside(copied, "发改委".encode()) and not _plain_bytes_inside(copied, b"%PDF")

    _empty_database_and_media(media_root)
    assert not Unit.objects.exists()
    assert "已从" in _restore(archive)
    assert _counts() == counts
    for attachment in CaseAttachment.objects.filter(case=case):
        assert attachment.file.read() == files[attachment.file.name]
    assert media_root.joinpath("cases", "large.bin").stat().st_size == CHUNK * 2 + 12345


def _refused(archive, message):
    marks = Mark.objects.count()
    with pytest.raises(CommandError, match=message):
        _restore(archive)
    assert Mark.objects.count() == marks


@pytest.mark.django_db(transaction=True)
def test_a_wrong_or_missing_key_and_a_changed_byte_are_refused_and_nothing_is_written(
    demo_db, staff_user, reporter_user, media_root, backup_dir, settings, tmp_path
):
    _office_work(staff_user, reporter_user)
    archive = _nightly(backup_dir)
    data = archive.read_bytes()
    _empty_database_and_media(media_root)
    empty = _counts()

    settings.BACKUP_ENCRYPTION_KEY = OTHER_KEY
    _refused(archive, r"加密密钥（DJANGO_BACKUP_ENCRYPTION_KEY）与备份时不同")
    settings.BACKUP_ENCRYPTION_KEY = ""
    _refused(archive, r"已加密，但未设置备份加密密钥（环境变量 DJANGO_BACKUP_ENCRYPTION_KEY）")
    settings.BACKUP_ENCRYPTION_KEY = KEY
    for name, changed in (
        ("byte.tar.gz.enc", data[: len(data) // 2] + bytes([data[len(data) // 2] ^ 1]) + data[len(data) // 2 + 1 :]),
        ("short.tar.gz.enc", data[:-100]),
        ("longer.tar.gz.enc", data + data[-200:]),
        ("header.tar.gz.enc", data[: len(MAGIC) + 3] + bytes([data[len(MAGIC) + 3] ^ 1]) + data[len(MAGIC) + 4 :]),
    ):
        bad = tmp_path / name
        bad.write_bytes(changed)
        _refused(bad, r"已损坏或被改动|与备份时不同")
    assert _counts() == empty
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


@pytest.mark.django_db(transaction=True)
def test_an_unencrypted_archive_still_restores_with_or_without_a_key(
    demo_db, staff_user, reporter_user, media_root, backup_dir, settings
):
    _office_work(staff_user, reporter_user)
    settings.BACKUP_ENCRYPTION_KEY = ""
    archive = _nightly(backup_dir)
    assert archive.name.endswith(".tar.gz")
    counts = _counts()
    _empty_database_and_media(media_root)
    settings.BACKUP_ENCRYPTION_KEY = KEY  # set since: the plain archive of before still restores
    assert "已从" in _restore(archive)
    assert _counts() == counts


@pytest.mark.django_db
def test_encrypted_archives_are_pruned_like_plain_ones(backup_dir, settings):
    settings.BACKUP_KEEP_COUNT, settings.BACKUP_KEEP_DAYS = 1, 0
    backup_dir.mkdir()
    for name in ("kunshan_credit-20200101-021500.tar.gz", "kunshan_credit-20200102-021500.tar.gz.enc"):
        (backup_dir / name).write_bytes(b"x")
    archive = _nightly(backup_dir)
    call_command("run_job", "prune_backups", stdout=io.StringIO())
    assert [p.name for p in backup_dir.iterdir()] == [archive.name]


@pytest.mark.django_db
def test_a_full_disk_leaves_no_encrypted_file_either(backup_dir, media_root):
    media_root.mkdir(parents=True)
    (media_root / "large.pdf").write_bytes(os.urandom(512 * 1024))
    backup_dir.mkdir()
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, limits[1]))
    try:
        with pytest.raises(CommandError, match="磁盘空间不足"):
            call_command("backup", stdout=io.StringIO())
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, previous)
    assert list(backup_dir.iterdir()) == []


def test_a_short_encryption_key_stops_the_start():
    from .test_settings import _run

    result = _run(["check"], DJANGO_DEBUG="1", DJANGO_BACKUP_ENCRYPTION_KEY="short")
    assert result.returncode != 0 and "DJANGO_BACKUP_ENCRYPTION_KEY is too short" in result.stderr
