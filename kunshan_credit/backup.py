"""Backup and restore: one .tar.gz holding the whole database, the uploaded files and a manifest.

The archive (`manage.py backup PATH`, `manage.py restore PATH`):

- `manifest.json`, written last: format, date, the portal's version (git commit), Django, the database
  vendor, the applied migrations, the row count of every table and the SHA-256 and size of every
  other member;
- `database.jsonl`: every row of every model of every installed app, one JSON object a line
  (Django's serializer), ids kept, so references inside JSON fields (an import's preview naming
  mark ids) stay true. Content types and permissions are not dumped: `migrate` writes them in every
  database, with ids of its own, so rows point at them by natural key. Sessions are left out: a
  restored portal starts with everyone logged out;
- `media/…`: every file under MEDIA_ROOT (case attachments, evidence of mark requests).

`kunshan_credit.restore` reads it back.
"""

import datetime
import hashlib
import io
import json
import os
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

FORMAT = "kunshan_credit-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "database.jsonl"
MEDIA = "media/"
# Written by `migrate` in every database (ids differ): referenced by natural key, never dumped.
RECREATED = {"contenttypes.contenttype", "auth.permission"}
LEFT_OUT = {"sessions.session"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused, with the reason in Chinese; nothing has been written."""


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
    """{archive name: path} of every regular file under MEDIA_ROOT."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return {}
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            files[MEDIA + path.relative_to(root).as_posix()] = path
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


def write_backup(path):
    """Write the archive to `path` (refused if it exists); returns the manifest."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"文件“{path}”已存在，备份未执行。请换一个文件名（例如带上日期）。")
    if not path.parent.is_dir():
        raise BackupError(f"目录“{path.parent}”不存在，备份未执行。")
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".backup-") as tmp:
        dump = Path(tmp) / DATABASE
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
        members = {}
        partial = Path(tmp) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as archive:
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
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), int(datetime.datetime.now().timestamp()), 0o600
            archive.addfile(info, io.BytesIO(body))
        # Password hashes and unpublished work are inside: readable by the portal's account only.
        os.chmod(partial, 0o600)
        # Only a complete archive gets the name: a backup cut short never looks like one.
        os.replace(partial, path)
    return manifest
