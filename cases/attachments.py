"""A case's attachments: the uploads checked as a set, and stored through core.stored_files, so that a refused
or failed step leaves no uploaded file on disk (the case workflow, cases.services, opens `stored_files.atomic`).
"""

import os

from django.core.exceptions import ValidationError

from core.errors import DomainError, validation_text
from core.uploads import validate_upload

from .models import CaseAttachment

MAX_ATTACHMENTS = 10


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


def store_uploads(case, uploads, labels, user, files):
    """Save each checked upload as an attachment of `case`; `files` (core.stored_files.atomic) removes the files
    again if the transaction fails."""
    for uploaded, label in zip(uploads, labels, strict=True):
        attachment = CaseAttachment(
            case=case,
            name=os.path.basename(uploaded.name)[:200],
            kind_label=label,
            size=uploaded.size,
            uploaded_by=user,
        )
        files.save(attachment.file, uploaded.name, uploaded)
        attachment.save()
