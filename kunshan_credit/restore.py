"""Restore an archive of `kunshan_credit.backup` into an empty database and MEDIA_ROOT.

Everything is checked before anything is written: every member against the manifest's sums, the
migrations against the code's, an empty database (nothing but what `migrate` itself writes), no
different file already under MEDIA_ROOT. Then every row goes in, ids kept, in one transaction; the
row counts are compared with the manifest, PostgreSQL's sequences are moved past the restored ids,
and the files are copied (and removed again if anything fails).

An encrypted archive (`….tar.gz.enc`, `kunshan_credit.backup_crypto`) is first decrypted into the temporary
directory with DJANGO_BACKUP_ENCRYPTION_KEY; a wrong or missing key, or a changed byte, refuses it there.
"""

import hashlib
import hmac
import io
import json
import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.cache import caches
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, transaction

from core.caches import clear_own
from core.stored_files import is_full

from . import backup_crypto
from .backup import (
    CHUNK,
    DATABASE,
    FORMAT,
    FORMAT_VERSION,
    FULL,
    MANIFEST,
    MEDIA,
    SIGNATURE,
    BackupError,
    applied_migrations,
    dumped_models,
    encryption_key,
    file_sha256,
    model_rows,
    serialize_rows,
    sign,
)


def _safe_name(name):
    parts = PurePosixPath(name).parts
    return (
        bool(parts)
        and not name.startswith("/")
        and ".." not in parts
        and (name in (MANIFEST, SIGNATURE, DATABASE) or (name.startswith(MEDIA) and len(parts) > 1))
    )


def decrypted(path, tmp):
    """The archive to unpack: `path` itself, or, encrypted, its plain copy written into the directory `tmp`."""
    if not backup_crypto.is_encrypted(path):
        return path
    secret = encryption_key()
    if secret is None:
        raise BackupError(
            f"备份文件“{path}”已加密，但未设置备份加密密钥（环境变量 DJANGO_BACKUP_ENCRYPTION_KEY），恢复未执行。"
            "请在 /etc/kunshan_credit/kunshan_credit.env 中设置备份时的加密密钥。"
        )
    target = Path(tmp, "decrypted.tar.gz")
    try:
        backup_crypto.decrypt_file(path, target, secret)
    except backup_crypto.WrongKey as exc:
        raise BackupError(
            f"备份文件“{path}”无法解密：加密密钥（DJANGO_BACKUP_ENCRYPTION_KEY）与备份时不同，恢复未执行。"
        ) from exc
    except backup_crypto.Damaged as exc:
        raise BackupError(f"备份文件“{path}”已损坏或被改动（解密校验失败），恢复未执行。") from exc
    except OSError as exc:
        if exc.errno in FULL:
            raise BackupError(f"临时目录“{tmp}”所在磁盘空间不足，无法解密备份文件“{path}”，恢复未执行。") from exc
        raise BackupError(f"无法读取或解密备份文件“{path}”，恢复未执行。") from exc
    return target


def unpack_verified(path, into, shown=None):
    """Unpack the archive into the directory `into`, refusing it unless every member matches the manifest
    (`shown`: the file named in the messages, when `path` is its decrypted copy)."""
    archive_path, path = path, shown or path
    damaged = f"备份文件“{path}”已损坏或被改动"
    try:
        archive = tarfile.open(archive_path, "r:gz")  # noqa: SIM115 - closed by the `with archive` below
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"无法读取备份文件“{path}”：不是本系统的备份（.tar.gz）或已损坏。") from exc
    seen = {}
    with archive:
        try:
            for member in archive:
                if not member.isfile() or not _safe_name(member.name) or member.name in seen:
                    raise BackupError(f"{damaged}：其中有不应有的内容“{member.name}”，恢复未执行。")
                target = Path(into, *PurePosixPath(member.name).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with archive.extractfile(member) as source, open(target, "wb") as out:
                    while block := source.read(CHUNK):
                        digest.update(block)
                        out.write(block)
                seen[member.name] = {"sha256": digest.hexdigest(), "size": member.size}
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise BackupError(f"{damaged}（无法完整读取），恢复未执行。") from exc
    if MANIFEST not in seen:
        raise BackupError(f"备份文件“{path}”中没有清单（manifest.json），不是本系统的备份，恢复未执行。")
    _check_signature(path, into, seen)
    try:
        manifest = json.loads(Path(into, MANIFEST).read_text(encoding="utf-8"))
        members = manifest["members"]
        ok_format = manifest.get("format") == FORMAT and manifest.get("format_version") == FORMAT_VERSION
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupError(f"{damaged}：清单无法读取，恢复未执行。") from exc
    if not ok_format:
        raise BackupError(f"备份文件“{path}”不是本系统此版本的备份格式，恢复未执行。")
    del seen[MANIFEST]
    for name in sorted(set(members) | set(seen)):
        if name not in seen:
            raise BackupError(f"{damaged}：缺少“{name}”，恢复未执行。")
        if name not in members:
            raise BackupError(f"{damaged}：清单中没有“{name}”，恢复未执行。")
        if seen[name] != members[name]:
            raise BackupError(f"{damaged}：“{name}”的校验值（SHA-256）与清单不符，恢复未执行。")
    if DATABASE not in seen:
        raise BackupError(f"{damaged}：缺少数据库内容，恢复未执行。")
    return manifest


def _check_signature(path, into, seen):
    """The manifest signed with this portal's key (DJANGO_BACKUP_KEY): the sums it holds can then be trusted."""
    if SIGNATURE not in seen:
        raise BackupError(f"备份文件“{path}”没有签名，无法确认未被改动，恢复未执行。")
    del seen[SIGNATURE]
    expected = sign(Path(into, MANIFEST).read_bytes())
    given = Path(into, SIGNATURE).read_bytes().strip().decode("ascii", "replace")
    if not hmac.compare_digest(expected, given):
        raise BackupError(
            f"备份文件“{path}”的签名不符：备份被改动，或签名密钥（DJANGO_BACKUP_KEY）与备份时不同，恢复未执行。"
        )


def _check_migrations(manifest):
    here = {tuple(m) for m in applied_migrations()}
    there = {tuple(m) for m in manifest["migrations"]}
    if there - here:
        raise BackupError(
            "当前数据库的结构比备份旧（缺少迁移 "
            + "、".join(f"{a}.{n}" for a, n in sorted(there - here)[:5])
            + "）：请先运行 migrate，或使用与备份相同的程序版本，恢复未执行。"
        )
    if here - there:
        raise BackupError(
            f"备份来自较早的程序版本（{manifest.get('app_version', '未知')}）：请用该版本在空数据库上恢复，"
            "再升级程序并运行 migrate。恢复未执行。"
        )


def _natural_key(obj):
    return tuple(obj.natural_key()) if hasattr(obj, "natural_key") else None


def _existing_rows(dump):
    """Rows already in the database: refused unless it is empty, holding nothing but what migrate writes.

    Migrations write rows of their own (the role groups). Such a row is kept when the archive holds
    the very same row, and replaced by the archive's when it holds one of the same natural key (a
    group of that name, under another id). A user account is never something migrate writes: any
    account means the database is in use. Returns (rows to keep, {model: ids to replace}).
    """
    present = {m._meta.label_lower: m for m in dumped_models() if m._default_manager.exists()}
    user_model = get_user_model()
    if not present:
        return set(), {}
    archived, natural = {}, set()
    with open(dump, encoding="utf-8") as stream:
        for line in stream:
            row = json.loads(line)
            if row["model"] in present:
                archived[row["model"], str(row["pk"])] = row
    for item in serializers.deserialize("python", list(archived.values()), handle_forward_references=True):
        natural.add((item.object._meta.label_lower, _natural_key(item.object)))
    same, replace, extra = set(), {}, {}
    for label, model in present.items():
        buffer = io.StringIO()
        serialize_rows(model_rows(model), buffer)
        rows = [json.loads(line) for line in buffer.getvalue().splitlines()]
        objects = model._default_manager.in_bulk([row["pk"] for row in rows])
        for row in rows:
            key = (label, str(row["pk"]))
            obj_key = _natural_key(objects[row["pk"]])
            if model is user_model:
                extra[model._meta.verbose_name] = extra.get(model._meta.verbose_name, 0) + 1
            elif archived.get(key) == row:
                same.add(key)
            elif obj_key is not None and (label, obj_key) in natural:
                replace.setdefault(model, []).append(row["pk"])
            else:
                extra[model._meta.verbose_name] = extra.get(model._meta.verbose_name, 0) + 1
    if extra:
        listed = "、".join(f"{name} {n} 条" for name, n in sorted(extra.items(), key=lambda kv: -kv[1])[:6])
        raise BackupError(
            f"数据库中已有数据（{listed}），恢复未执行。只能恢复到空数据库：新建数据库并运行 migrate 后再恢复。"
        )
    return same, replace


def _media_plan(manifest, unpacked):
    """[(unpacked file, target)] of the files to write; refused if MEDIA_ROOT holds another file of that name."""
    root = Path(settings.MEDIA_ROOT)
    plan = []
    for name, member in sorted(manifest["members"].items()):
        if not name.startswith(MEDIA):
            continue
        source = Path(unpacked, *PurePosixPath(name).parts)
        target = root.joinpath(*PurePosixPath(name).parts[1:])
        if target.exists():
            if not target.is_file() or file_sha256(target) != member["sha256"]:
                raise BackupError(f"附件目录中已有不同的文件“{target}”，恢复未执行。请使用空的附件目录。")
            continue
        plan.append((source, target))
    return plan


def _load(dump, skip):
    """Insert every archived row (ids kept); returns the models written."""
    models, deferred = set(), []
    with open(dump, encoding="utf-8") as stream, connection.constraint_checks_disabled():
        for item in serializers.deserialize("jsonl", stream, handle_forward_references=True):
            model = type(item.object)
            if (model._meta.label_lower, str(item.object.pk)) in skip:
                continue
            item.save(force_insert=True)
            models.add(model)
            if item.deferred_fields:
                deferred.append(item)
    for item in deferred:
        item.save_deferred_fields()
    connection.check_constraints(table_names=[m._meta.db_table for m in models])
    return models


def _reset_sequences(models):
    """Rows went in with their ids: move each sequence past them (PostgreSQL), so new rows get new ids."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def restore_backup(path):
    """Restore the archive into an empty database and MEDIA_ROOT; returns the manifest."""
    with (
        tempfile.TemporaryDirectory(prefix="kc-restore-") as tmp,
        tempfile.TemporaryDirectory(prefix="kc-decrypt-") as plain,
    ):
        source = decrypted(path, plain)
        manifest = unpack_verified(source, tmp, shown=path)
        if source != path:
            Path(source).unlink()  # room on the disk for the files
        _check_migrations(manifest)
        dump = Path(tmp, DATABASE)
        written = []
        try:
            with transaction.atomic():
                skip, replace = _existing_rows(dump)
                plan = _media_plan(manifest, tmp)
                for model, pks in replace.items():
                    model._default_manager.filter(pk__in=pks).delete()
                models = _load(dump, skip)
                counts = {m._meta.label_lower: m._default_manager.count() for m in dumped_models()}
                wrong = [label for label, n in manifest["rows"].items() if counts.get(label) != n]
                if wrong:
                    raise BackupError(f"恢复后的行数与清单不符（{'、'.join(wrong[:5])}），已撤销，数据库未改动。")
                _reset_sequences(models)
                for source, target in plan:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    written.append(target)  # before the copy: one cut short (a full disk) goes too
                    shutil.copyfile(source, target)
        except BaseException as exc:
            for target in written:
                target.unlink(missing_ok=True)
            if is_full(exc):
                raise BackupError(
                    "恢复失败：附件目录所在磁盘空间不足，已撤销，数据库未改动，未留下不完整的文件。请清理磁盘后重试。"
                ) from exc
            if isinstance(exc, DeserializationError | DatabaseError):
                raise BackupError(
                    "恢复失败：备份中的数据无法写入当前数据库（用 --traceback 查看原因），数据库未改动。"
                ) from exc
            raise
    # Cached pages and documents were rendered from the database before the restore (this portal's keys only:
    # a Redis database may be shared).
    for alias in settings.CACHES:
        clear_own(caches[alias])
    return manifest
