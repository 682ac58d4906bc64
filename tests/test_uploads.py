"""Uploads are checked by content and size, not by name."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment.uploads import validate_upload


def _docx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("证明.pdf", b"%PDF-1.7\n..."),
        ("照片.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20),
        ("照片.JPG", b"\xff\xd8\xff\xe0" + b"0" * 20),
        ("材料.docx", _docx()),
    ],
)
def test_allowed_kinds_pass(name, content):
    validate_upload(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("假的.pdf", b"<script>alert(1)</script>", "内容不是PDF"),
        ("假的.docx", b"PK\x03\x04not a zip", "内容不是Word"),
        ("脚本.html", b"<html>", "不支持"),
        ("无扩展名", b"%PDF-1.7", "不支持"),
        ("空.pdf", b"", "空的"),
    ],
)
def test_spoofed_or_unknown_files_are_refused(name, content, message):
    with pytest.raises(ValidationError, match=message):
        validate_upload(SimpleUploadedFile(name, content))


def test_size_limit():
    with pytest.raises(ValidationError, match="超过 1 MB"):
        validate_upload(SimpleUploadedFile("大.pdf", b"%PDF-" + b"0" * (1024 * 1024)), max_bytes=1024 * 1024)
