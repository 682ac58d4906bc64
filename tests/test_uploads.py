"""Uploads are checked by content and size, not by name: the body must be what the first bytes claim."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image

from core.uploads import validate_upload

from .factories import PDF_BYTES


def _image(fmt):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, fmt)
    return out.getvalue()


def _xlsx():
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def _zip(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _docx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("证明.pdf", PDF_BYTES),
        ("证明.pdf", PDF_BYTES + b"\n" * 200),  # %%EOF followed by line ends, as some writers leave it
        ("照片.png", _image("PNG")),
        ("照片.JPG", _image("JPEG")),
        ("材料.docx", _docx()),
        ("表格.xlsx", _xlsx()),
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
        # The first bytes claim one kind, the body is another.
        ("网页.pdf", b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n%%EOF\n", "内容不是PDF"),
        ("截断.pdf", PDF_BYTES[:20], "内容不是PDF"),
        ("文本.png", b"\x89PNG\r\n\x1a\n" + "这是一段文字，不是图片。".encode() * 4, "内容不是PNG"),
        ("网页.png", _image("PNG")[:33] + b"<html><script>alert(1)</script></html>", "内容不是PNG"),
        ("网页.jpg", b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>", "内容不是JPEG"),
        ("网页.jpeg", _image("JPEG")[:20] + b"<script>alert(1)</script>" + _image("JPEG")[20:], "内容不是JPEG"),
        ("网页.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1<html><script>alert(1)</script>", "内容不是Word"),
        ("空壳.docx", _zip({"[Content_Types].xml": "<Types/>", "word/x.txt": "x"}), "内容不是Word"),
        ("表格.docx", _xlsx(), "内容不是Word"),
    ],
)
def test_spoofed_or_unknown_files_are_refused(name, content, message):
    with pytest.raises(ValidationError, match=message):
        validate_upload(SimpleUploadedFile(name, content))


def test_size_limit():
    with pytest.raises(ValidationError, match="超过 1 MB"):
        validate_upload(SimpleUploadedFile("大.pdf", b"%PDF-" + b"0" * (1024 * 1024)), max_bytes=1024 * 1024)


def test_a_zip_that_unpacks_to_too_much_is_refused_unread(settings):
    """The zip's declared sizes are added up; nothing is decompressed (a "zip bomb" of zeros)."""
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w") as member:
            for _ in range(110):
                member.write(b"\0" * (1024 * 1024))
    assert len(bomb.getvalue()) < 1024 * 1024
    with pytest.raises(ValidationError, match=r"解压后有 110 MB，超过 100 MB的上限"):
        validate_upload(SimpleUploadedFile("炸弹.docx", bomb.getvalue()))
