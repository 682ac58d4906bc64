"""Files under MEDIA_ROOT that no row names (`manage.py orphaned_files`, the weekly job `orphaned_files`).

A file is named by a row when a FileField of any model holds its name (read from the models, core.stored_files),
or when it lies in the folder of a published version's stored files (bulletins.documents: the folder is named
by its IssueVersion row). Everything else is an orphan: the remains of a worker killed between a whole file and
its commit, of an upload cut off mid-body (MEDIA_ROOT/.uploads/), of a row deleted outside the portal. Files
younger than MIN_AGE are never touched: an upload may be in flight.
"""

import datetime
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from bulletins.documents import version_folder
from bulletins.models import IssueVersion
from core.stored_files import file_fields, in_flight

MIN_AGE = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class Orphan:
    name: str  # relative to MEDIA_ROOT, with /
    path: Path
    size: int
    modified: datetime.datetime


def named_files():
    """Every name a FileField of a row holds."""
    names = set()
    for model in apps.get_models():
        for field in file_fields(model):
            names.update(model._base_manager.exclude(**{field.attname: ""}).values_list(field.attname, flat=True))
    return names


def owned_folders():
    """The folders of the published versions' stored files, each with its row."""
    return {version_folder(version) for version in IssueVersion.objects.select_related("issue")}


class WrongDatabase(Exception):
    """No row names any file while MEDIA_ROOT holds kept files: the wrong (or a new, not yet restored) database."""


def find(now=None):
    """(orphans older than MIN_AGE, how many younger files no row names were left alone), in name order.

    Raises WrongDatabase rather than call every file an orphan when the database names none at all."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return [], 0
    now = now or timezone.now()
    names, folders = named_files(), owned_folders()
    if not names and not folders and any(not in_flight(p.relative_to(root).as_posix()) for p in _files(root)):
        raise WrongDatabase(
            f"数据库中没有任何附件或已发布简报的记录，而附件目录“{root}”中有文件：可能连接了错误的数据库，"
            "或新数据库尚未恢复备份。未删除任何文件。"
        )
    found, young = [], 0
    for path in _files(root):
        name = path.relative_to(root).as_posix()
        if name in names or str(PurePosixPath(name).parent) in folders:
            continue
        stat = path.stat()
        modified = datetime.datetime.fromtimestamp(stat.st_mtime, tz=datetime.UTC)
        if now - modified < MIN_AGE:
            young += 1
            continue
        found.append(Orphan(name, path, stat.st_size, modified))
    return found, young


def _files(root):
    return (path for path in sorted(root.rglob("*")) if path.is_file() and not path.is_symlink())


def remove(orphans):
    """Delete the files; the ones removed (a file gone meanwhile is not an error)."""
    removed = []
    for orphan in orphans:
        try:
            os.unlink(orphan.path)
        except FileNotFoundError:
            continue
        removed.append(orphan)
    return removed


def size_text(size):
    """12 字节, 3.4 KB, 2.0 MB."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
