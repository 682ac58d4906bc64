"""Backup and restore: one .tar.gz holding the whole database, the uploaded files and a manifest.

The archive (`manage.py backup PATH`, `manage.py restore PATH`):

- `manifest.json`, written after the rest: format, date, the portal's version (git commit), Django, the database
  vendor, the applied migrations, the row count of every table and the SHA-256 and size of every
  other member;
- `database.jsonl`: every row of every model of every installed app, one JSON object a line
  (Django's serializer), ids kept, so references inside JSON fields (an import's preview naming
  mark ids) stay true. Content types and permissions are not dumped: `migrate` writes them in every
  database, with ids of its own, so rows point at them by natural key. Sessions are left out: a
  restored portal starts with everyone logged out;
- `media/…`: every file under MEDIA_ROOT (case attachments, evidence of mark requests);
- `manifest.sig`, the last member: HMAC-SHA256 of the manifest's bytes with `settings.BACKUP_KEY`
  (DJANGO_BACKUP_KEY, from the environment, never the database). Restore refuses an archive without it
  or signed with another key: a changed row with a recomputed manifest no longer passes.

With `settings.BACKUP_ENCRYPTION_KEY` (DJANGO_BACKUP_ENCRYPTION_KEY) the .tar.gz is encrypted as it is written
(`kunshan_credit.backup_crypto`, AES-256-GCM in chunks) and named `….tar.gz.enc`: no plain archive is ever
written, and the off-site copy sends only ciphertext.

`manage.py backup DIRECTORY` (or no path: settings.BACKUP_DIR, the nightly job) writes a dated archive
there, `kunshan_credit-20261206-021500.tar.gz`; `prune_backups` removes the old ones (BACKUP_KEEP_*). The
archive is written under a temporary name in the same directory and renamed when complete: a full disk
or any other failure leaves no file behind and says so in Chinese.

`kunshan_credit.restore` reads it back.
"""

import datetime
import errno
import hashlib
import hmac
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.serializers import jsonl
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from core.stored_files import FULL, in_flight  # the one list of a full disk's errors

from .backup_crypto import SUFFIX, EncryptingWriter

FORMAT = "kunshan_credit-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
ARCHIVE_NAME = re.compile(r"^kunshan_credit-(\d{8}-\d{6})\.tar\.gz(?:\.enc)?$")
TEMPORARY_PREFIX = ".backup-"
OFFSITE_TIMEOUT = 3 * 3600  # seconds: a night's copy over a slow line
DATABASE = "database.jsonl"
MEDIA = "media/"
# Written by `migrate` in every database (ids differ): referenced by natural key, never dumped.
RECREATED = {"contenttypes.contenttype", "auth.permission"}
LEFT_OUT = {"sessions.session"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused, with the reason in Chinese; nothing has been written."""


def backup_key():
    """The signing key (bytes); refused when the environment gives none."""
    key = settings.BACKUP_KEY
    if not key:
        raise BackupError(
            "未设置备份签名密钥（环境变量 DJANGO_BACKUP_KEY），备份与恢复均未执行。"
            "请在 /etc/kunshan_credit/kunshan_credit.env 中设置，并另行保存一份。"
        )
    return key.encode()


def encryption_key():
    """The encryption key (bytes), or None: archives are then written unencrypted."""
    key = settings.BACKUP_ENCRYPTION_KEY
    return key.encode() if key else None


def sign(manifest_bytes):
    return hmac.new(backup_key(), manifest_bytes, hashlib.sha256).hexdigest()


def archive_path(target, now=None, encrypted=False):
    """The file to write: `target` itself, or in a directory a dated name (the portal's time; `.enc` when
    encrypted)."""
    target = Path(target)
    if not target.is_dir():
        return target
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    return target / f"kunshan_credit-{stamp}.tar.gz{SUFFIX if encrypted else ''}"


class _Serializer(jsonl.Serializer):
    """JSON Lines; natural keys only for references to content types and permissions."""

    def _natural_for(self, field):
        self.use_natural_foreign_keys = field.remote_field.model._meta.label_lower in RECREATED

    def handle_fk_field(self, obj, field):
        self._natural_for(field)
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self._natural_for(field)
        super().handle_m2m_field(obj, field)


class _Encoder(DjangoJSONEncoder):
    """Times to the microsecond (Django's encoder keeps milliseconds): a restored row equals the original."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def dumped_models():
    """Every concrete model of every installed app, in an order that loads (dependencies first)."""
    app_list = []
    for config in apps.get_app_configs():
        models = [
            m
            for m in config.get_models()
            if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in RECREATED | LEFT_OUT
        ]
        if models:
            app_list.append((config, models))
    return serializers.sort_dependencies(app_list, allow_cycles=True)


def model_rows(model):
    """All rows by id, with what the serializer reads prefetched (no query per row)."""
    queryset = model._default_manager.order_by("pk")
    related = [
        f.name
        for f in model._meta.local_fields
        if f.remote_field and f.remote_field.model._meta.label_lower in RECREATED
    ]
    if related:
        queryset = queryset.select_related(*related)
    many = [f.name for f in model._meta.local_many_to_many if f.remote_field.through._meta.auto_created]
    if many:
        queryset = queryset.prefetch_related(*many)
        return queryset.iterator(chunk_size=2000)
    return queryset.iterator()


def serialize_rows(objects, stream):
    _Serializer().serialize(objects, stream=stream, cls=_Encoder)


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _app_version():
    try:
        result = subprocess.run(
            ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip() if result.returncode == 0 else "unknown"


def applied_migrations():
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def _media_files():
    """{archive name: path} of every regular file under MEDIA_ROOT, but those still being written (an upload
    being received, a file not yet moved into place: core.stored_files)."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return {}
    files = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_file() and not path.is_symlink() and not in_flight(name):
            files[MEDIA + name] = path
    return files


class _Hashing:
    """A file read by tarfile, summed as it goes: the sum is of the very bytes archived."""

    def __init__(self, f):
        self.f, self.digest = f, hashlib.sha256()

    def read(self, size=-1):
        data = self.f.read(size)
        self.digest.update(data)
        return data


def _add(archive, name, source):
    with open(source, "rb") as f:
        info = archive.gettarinfo(arcname=name, fileobj=f)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _Hashing(f)
        archive.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": info.size}


def write_backup(target=None):
    """Write the archive to `target` (a new file, or a directory for a dated name; default
    settings.BACKUP_DIR, made if missing); returns (path, manifest). Nothing is left on any failure."""
    key, secret = backup_key(), encryption_key()
    if target is None:
        try:
            Path(settings.BACKUP_DIR).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BackupError(f"无法创建备份目录“{settings.BACKUP_DIR}”（{exc.strerror}），备份未执行。") from exc
        target = settings.BACKUP_DIR
    path = archive_path(target, encrypted=secret is not None)
    if path.exists():
        raise BackupError(f"文件“{path}”已存在，备份未执行。请换一个文件名，或给出目录（自动以日期命名）。")
    if not path.parent.is_dir():
        raise BackupError(f"目录“{path.parent}”不存在，备份未执行。")
    try:
        with tempfile.TemporaryDirectory(dir=path.parent, prefix=TEMPORARY_PREFIX) as tmp:
            manifest = _write(Path(tmp), path, key, secret)
    except OSError as exc:
        if exc.errno in FULL:
            raise BackupError(
                f"备份目录“{path.parent}”所在磁盘空间不足（或超出文件大小限制），备份未执行，"
                "未留下不完整的文件。请清理磁盘或减少保留的备份份数后重试。"
            ) from exc
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise BackupError(f"无权写入备份目录“{path.parent}”，备份未执行。") from exc
        raise
    return path, manifest


def _write(tmp, path, key, secret):
    dump = tmp / DATABASE
    counts = {}
    # One transaction: every table is read from the same snapshot, even while people keep working.
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        migrations = applied_migrations()
        with open(dump, "w", encoding="utf-8") as stream:
            for model in dumped_models():
                counts[model._meta.label_lower] = model._default_manager.count()
                serialize_rows(model_rows(model), stream)
    partial = tmp / "archive.tar.gz"
    with open(partial, "wb") as out:
        sink = EncryptingWriter(out, secret) if secret else out
        with tarfile.open(fileobj=sink, mode="w|gz") as archive:
            manifest = _fill(archive, dump, migrations, counts, key)
        if secret:
            sink.close()
        out.flush()
        os.fsync(out.fileno())
    # Password hashes and unpublished work are inside: readable by the portal's account only.
    os.chmod(partial, 0o600)
    # Only a complete archive gets the name: a backup cut short never looks like one.
    os.replace(partial, path)
    return manifest


def _fill(archive, dump, migrations, counts, key):
    """The members: the database, the media files, then the manifest and its signature; returns the manifest."""
    members = {}
    for name, source in {DATABASE: dump, **_media_files()}.items():
        try:
            members[name] = _add(archive, name, source)
        except FileNotFoundError:
            continue  # an attachment deleted since the listing: its row is gone too
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "app_version": _app_version(),
        "django": django.get_version(),
        "database_vendor": connection.vendor,
        "migrations": migrations,
        "rows": counts,
        "members": members,
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    signature = hmac.new(key, body, hashlib.sha256).hexdigest().encode()
    for name, data in ((MANIFEST, body), (SIGNATURE, signature)):
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = len(data), int(datetime.datetime.now().timestamp()), 0o600
        archive.addfile(info, io.BytesIO(data))
    return manifest


def copy_offsite(path):
    """Run settings.BACKUP_OFFSITE_COMMAND (DJANGO_BACKUP_OFFSITE_COMMAND, `{archive}` standing for the archive's
    path), if set; returns the command run, or None. A failure is refused in Chinese (the archive stays)."""
    template = settings.BACKUP_OFFSITE_COMMAND
    if not template:
        return None
    args = [part.replace("{archive}", str(path)) for part in shlex.split(template)]
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=OFFSITE_TIMEOUT)
    except (OSError, subprocess.SubprocessError) as exc:
        raise BackupError(f"备份已写入“{path}”，但异地复制命令“{args[0]}”无法运行或超时，未复制到异地。") from exc
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip()[-500:]
        raise BackupError(
            f"备份已写入“{path}”，但异地复制命令失败（退出码 {result.returncode}），未复制到异地。命令输出：{said}"
        )
    return " ".join(args)


def archives(directory):
    """[(time written, path)] of the dated archives in `directory`, newest first."""
    found = []
    for path in Path(directory).iterdir():
        match = ARCHIVE_NAME.match(path.name)
        if match and path.is_file():
            stamp = datetime.datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")
            found.append((timezone.make_aware(stamp), path))
    return sorted(found, reverse=True)


def prune(directory=None, keep_count=None, keep_days=None, now=None, dry_run=False):
    """Remove the dated archives that are neither among the newest `keep_count` nor written within the last
    `keep_days` calendar days (default: settings.BACKUP_KEEP_*), and temporaries a killed backup left; returns
    the paths removed."""
    directory = Path(directory or settings.BACKUP_DIR)
    keep_count = settings.BACKUP_KEEP_COUNT if keep_count is None else keep_count
    keep_days = settings.BACKUP_KEEP_DAYS if keep_days is None else keep_days
    now = now or timezone.now()
    if not directory.is_dir():
        raise BackupError(f"备份目录“{directory}”不存在，未清理。")
    # By calendar day in the office's time zone: "5 天内" keeps today's and the five days before, whatever the
    # hour the job runs at.
    first_kept_day = timezone.localdate(now) - datetime.timedelta(days=keep_days)
    old = [
        path
        for n, (at, path) in enumerate(archives(directory))
        if n >= keep_count and timezone.localdate(at) < first_kept_day
    ]
    day_ago = now.timestamp() - 24 * 3600
    left = [p for p in directory.glob(TEMPORARY_PREFIX + "*") if p.is_dir() and p.stat().st_mtime < day_ago]
    if not dry_run:
        for path in old:
            path.unlink(missing_ok=True)
        for path in left:
            shutil.rmtree(path, ignore_errors=True)
    return old + left
