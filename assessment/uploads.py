"""Uploaded files (evidence, case attachments): checked by content, size-limited, served only through views.

Files live under MEDIA_ROOT, outside static/, and MEDIA_URL is not routed: a view that
has checked access returns them with `protected_file_response`.
"""

import os
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError

from .downloads import download_response

MAX_UPLOAD_BYTES = getattr(settings, "MAX_UPLOAD_BYTES", 10 * 1024 * 1024)

# extension → (label, checker of the first bytes / the file)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _zip_with(member_prefix):
    def check(f, head):
        if not head.startswith(b"PK\x03\x04"):
            return False
        f.seek(0)
        try:
            with zipfile.ZipFile(f) as z:
                names = z.namelist()
        except zipfile.BadZipFile:
            return False
        return "[Content_Types].xml" in names and any(n.startswith(member_prefix) for n in names)

    return check


KINDS = {
    ".pdf": ("PDF", lambda f, head: head.startswith(b"%PDF-")),
    ".png": ("PNG 图片", lambda f, head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("JPEG 图片", lambda f, head: head.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("JPEG 图片", lambda f, head: head.startswith(b"\xff\xd8\xff")),
    ".docx": ("Word 文档", _zip_with("word/")),
    ".xlsx": ("Excel 工作簿", _zip_with("xl/")),
    ".pptx": ("PowerPoint 演示文稿", _zip_with("ppt/")),
    ".doc": ("Word 97-2003 文档", lambda f, head: head.startswith(_OLE)),
    ".xls": ("Excel 97-2003 工作簿", lambda f, head: head.startswith(_OLE)),
}


def allowed_extensions_text():
    return "、".join(sorted({ext.lstrip(".").upper() for ext in KINDS}))


def validate_upload(uploaded, max_bytes=None):
    """Raise ValidationError (in Chinese) unless the file is of an allowed kind by its content and not too big."""
    max_bytes = max_bytes or MAX_UPLOAD_BYTES
    name = uploaded.name or ""
    ext = os.path.splitext(name)[1].lower()
    if uploaded.size == 0:
        raise ValidationError("文件是空的。")
    if uploaded.size > max_bytes:
        raise ValidationError(f"文件“{name}”超过 {max_bytes // (1024 * 1024)} MB 的上限。")
    if ext not in KINDS:
        raise ValidationError(f"不支持“{ext or '无扩展名'}”类型的文件，只能上传：{allowed_extensions_text()}。")
    label, check = KINDS[ext]
    uploaded.seek(0)
    head = uploaded.read(16)
    ok = check(uploaded, head)
    uploaded.seek(0)
    if not ok:
        raise ValidationError(f"文件“{name}”的内容不是{label}，请检查后重新上传。")
    return label


def protected_file_response(field_file, download_name=None, *, audit=None, obj=None):
    """Send a stored file as a download; call only after the view has checked who may see it.
    audit, obj: the request and the thing the file belongs to, for the audit log (see `download_response`)."""
    name = download_name or os.path.basename(field_file.name)
    return download_response(field_file.open("rb"), name, audit=audit, obj=obj)
