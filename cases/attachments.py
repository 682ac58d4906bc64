"""A case's attachments: the uploads checked as a set, stored, and removed again when the step fails.

Used by the case workflow (cases.services): a refused step leaves no uploaded file on disk.
"""

import contextlib
import os

from django.core.exceptions import ValidationError

from core.errors import DomainError, validation_text
from core.uploads import validate_upload

from .models import CaseAttachment

MAX_ATTACHMENTS = 10


@contextlib.contextmanager
def files_removed_on_failure():
    """Yields a list to put stored file names in; they are deleted again if anything fails."""
    stored = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            with contextlib.suppress(OSError):
                CaseAttachment.file.field.storage.delete(name)
        raise


def check_uploads(uploads, existing=0):
    """Refuse the whole set unless every file is of an allowed kind by content and size."""
    uploads = list(uploads)
    if existing + len(uploads) > MAX_ATTACHMENTS:
        raise DomainError(f"每个案例最多 {MAX_ATTACHMENTS} 个附件。")
    labels = []
    for uploaded in uploads:
        try:
            labels.append(validate_upload(uploaded))
        except ValidationError as exc:
            raise DomainError(validation_text(exc)) from exc
    return labels


def store_uploads(case, uploads, labels, user, stored):
    """Save each checked upload as an attachment of `case`, its file name added to `stored`."""
    for uploaded, label in zip(uploads, labels, strict=True):
        attachment = CaseAttachment(
            case=case,
            name=os.path.basename(uploaded.name)[:200],
            kind_label=label,
            size=uploaded.size,
            uploaded_by=user,
        )
        attachment.file.save(uploaded.name, uploaded, save=False)
        stored.append(attachment.file.name)
        attachment.save()
