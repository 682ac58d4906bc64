"""Files in media storage never outlive their rows, and a row never names a file that is not whole.

Every writer of media storage goes through here (case attachments, evidence of requests, stored issue files):

- `write(storage, name, content)`: the bytes go to a temporary name beside `name` (``.partial-…``) and are
  moved into place once complete, so a file cut short (full disk, killed process) never has a name a row
  could hold. On an error the temporary is removed; a full disk (ENOSPC, EDQUOT, EFBIG) is `StorageFull`,
  a DomainError in Chinese the form or the API shows like any refusal.
- `atomic()`: a transaction whose files (`files.save(field_file, filename, content)`) are removed again
  unless it succeeds: an error inside the block deletes them before the error goes on, so the row and its
  file are written together or not at all.
- `MediaTemporaryFileUploadHandler`: a request's large upload is received into MEDIA_ROOT/.uploads/ (not
  /tmp), on the same disk as its final place (moved there by a rename) and where `manage.py orphaned_files`
  finds what a worker killed mid-body left.

A process killed between a whole file and its commit leaves a file no row names: `manage.py orphaned_files`
(the weekly job) lists and removes those older than an hour.
"""

import contextlib
import errno
import os
import tempfile
import uuid
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.http import HttpResponse
from django.template.loader import render_to_string

from core.api.http import is_api
from core.errors import DomainError

FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
PARTIAL_PREFIX = ".partial-"
UPLOADS_DIR = ".uploads"  # request bodies being received (MediaTemporaryFileUploadHandler)


class StorageFull(DomainError):
    """The disk (or the quota) is full: nothing was kept, the user is told to try again later."""

    def __init__(self, filename=""):
        named = f"“{os.path.basename(filename)}”" if filename else ""
        super().__init__(
            f"服务器存储空间不足，文件{named}未能保存，本次提交未生效（未留下任何内容）。"
            "请稍后重试，或联系系统管理员清理磁盘。"
        )


def is_full(exc):
    return isinstance(exc, OSError) and exc.errno in FULL


def in_flight(relative_name):
    """Whether a name under MEDIA_ROOT is a file being written (a temporary of `write` or of an upload)."""
    parts = Path(relative_name).parts
    return bool(parts) and (parts[0] == UPLOADS_DIR or parts[-1].startswith(PARTIAL_PREFIX))


def _local_path(storage, name):
    try:
        return storage.path(name)
    except NotImplementedError:  # a remote storage (S3…): a put is whole or nothing
        return None


def write(storage, name, content, *, max_length=None, keep_existing=False):
    """Store `content` under `name` (or a free name like it); the name stored.

    keep_existing: a file already under `name` (another process made the same file meanwhile) is kept and
    its name returned; otherwise a taken name gets a free one beside it (Storage.get_available_name).
    """
    if _local_path(storage, name) is None:
        try:
            saved = storage.save(name, content, max_length=max_length)
        except OSError as exc:
            if is_full(exc):
                raise StorageFull(getattr(content, "name", None) or name) from exc
            raise
        if keep_existing and saved != name:  # made meanwhile by another process: keep theirs
            storage.delete(saved)
            return name
        return saved
    folder, base = os.path.split(name)
    temporary = os.path.join(folder, f"{PARTIAL_PREFIX}{uuid.uuid4().hex}{os.path.splitext(base)[1]}")
    try:
        temporary = storage.save(temporary, content)
        return _move_into_place(storage, storage.path(temporary), name, max_length, keep_existing)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(storage.path(temporary))
        if is_full(exc):
            raise StorageFull(getattr(content, "name", None) or name) from exc
        raise


def _move_into_place(storage, source, name, max_length, keep_existing):
    """A hard link to the final name (refused if taken: never overwrites), then the temporary goes."""
    while True:
        final = name if keep_existing else storage.get_available_name(name, max_length=max_length)
        try:
            os.link(source, storage.path(final))
        except FileExistsError:
            if keep_existing:
                os.unlink(source)
                return final
            continue  # taken since get_available_name: another free name
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP) or os.path.exists(storage.path(final)):
                raise
            os.rename(source, storage.path(final))  # a file system without hard links
            return final
        os.unlink(source)
        return final


class Files:
    """The files saved in one `atomic()` block, removed again unless it succeeds."""

    def __init__(self):
        self.stored = []

    def save(self, field_file, filename, content):
        """As FieldFile.save(filename, content, save=False), through `write`: the model's row is the caller's."""
        field = field_file.field
        name = field.generate_filename(field_file.instance, filename)
        stored = write(field_file.storage, name, content, max_length=field.max_length)
        self.stored.append((field_file.storage, stored))
        field_file.name = stored
        setattr(field_file.instance, field.attname, stored)
        field_file._committed = True
        return stored

    def remove(self):
        for storage, name in self.stored:
            with contextlib.suppress(OSError):
                storage.delete(name)
        self.stored.clear()


@contextlib.contextmanager
def atomic(using=None):
    """transaction.atomic() yielding `Files`: what it saved is deleted if the block raises.

    Nested in an enclosing transaction that rolls back later, the files stay until `orphaned_files`."""
    files = Files()
    try:
        with transaction.atomic(using=using):
            yield files
    except BaseException:
        files.remove()
        raise


class _MediaTemporaryUploadedFile(TemporaryUploadedFile):
    def __init__(self, name, content_type, size, charset, content_type_extra=None):
        folder = Path(settings.MEDIA_ROOT) / UPLOADS_DIR
        folder.mkdir(parents=True, exist_ok=True)
        file = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed by the request, as Django's own)
            prefix=PARTIAL_PREFIX, suffix=".upload" + os.path.splitext(name)[1], dir=folder
        )
        UploadedFile.__init__(self, file, name, content_type, size, charset, content_type_extra)


class MediaTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's handler for uploads too large for memory, receiving into MEDIA_ROOT/.uploads/.

    A full disk while receiving removes the part received before the error goes on."""

    def new_file(self, *args, **kwargs):
        super(TemporaryFileUploadHandler, self).new_file(*args, **kwargs)
        self.file = _MediaTemporaryUploadedFile(
            self.file_name, self.content_type, 0, self.charset, self.content_type_extra
        )

    def receive_data_chunk(self, raw_data, start):
        try:
            self.file.write(raw_data)
        except OSError:
            self.file.close()  # a NamedTemporaryFile: closing removes it
            raise


class FullDiskUploadMiddleware:
    """Receives a multipart body's files before the views (and the CSRF check) ask for them: a full disk while
    receiving is answered 507 with the portal's page instead of a 500; the part received is removed already
    (MediaTemporaryFileUploadHandler). Placed before CsrfViewMiddleware. The API takes no files (JSON only):
    its bodies are left to its parsers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.content_type != "multipart/form-data" or is_api(request):
            return None
        try:
            request.POST  # noqa: B018 (the body is read here)
        except OSError as exc:
            if is_full(exc):
                return storage_full_response(request)
            # Anything else (the client went away mid-body): as before, the CSRF check refuses the empty form.
        return None


def storage_full_response(request):
    """The portal's page for a full disk (templates/507.html), rendered without the request's context like the
    400 page: the session and the user may not be known yet."""
    from core.office.models import get_office

    page = render_to_string("507.html", {"office": get_office(), "message": str(StorageFull())})
    return HttpResponse(page, status=507)


# --- a row's files go with it


def file_fields(model):
    """The FileFields (ImageFields too) of a model, read from the model itself."""
    return [field for field in model._meta.get_fields() if isinstance(field, models.FileField)]


def _delete_files_of_row(sender, instance, **kwargs):
    """A deleted row (a case with its attachments, a mark with its requests…) leaves no file behind, once the
    deletion is committed; a rolled-back deletion keeps them."""
    for field in file_fields(sender):
        field_file = getattr(instance, field.attname)
        name, storage = field_file.name, field_file.storage
        if name:
            transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))


def connect():
    """Every model with a file field removes its files with its rows (CoreConfig.ready)."""
    for model in apps.get_models():
        if file_fields(model):
            post_delete.connect(_delete_files_of_row, sender=model, dispatch_uid=f"stored_files_{model._meta.label}")
