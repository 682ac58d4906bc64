"""Uploaded files (evidence, case attachments, workbooks): checked by content, size-limited, served only through views.

The content check reads more than the first bytes: a PDF must end like one, a PNG must carry a
valid header chunk and its end chunk, no image or PDF may hold a web page (an image's text chunks and
metadata are read like its body: PNG tEXt/zTXt/iTXt, JPEG EXIF/XMP/comments), no PDF may carry a script,
a launch action or an embedded file (also inside compressed object streams), and a zip-based file
must not unpack to more than MAX_UNCOMPRESSED_BYTES. Workbooks are then checked cell by cell
before any reader opens them (`core.workbooks`).

Files live under MEDIA_ROOT, outside static/, and MEDIA_URL is not routed: a view that
has checked access returns them with `protected_file_response`.
"""

import os
import re
import zipfile
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError

from core.downloads import download_response

MAX_UPLOAD_BYTES = getattr(settings, "MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# A zip-based file (docx, xlsx, pptx) unpacks to at most this much, in at most this many members:
# the sizes are the zip's own declarations, which Python's zipfile never reads beyond, so a zip bomb
# is refused before a byte of it is decompressed.
MAX_UNCOMPRESSED_BYTES = getattr(settings, "MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
MAX_ZIP_MEMBERS = 5000

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PNG = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
# Markup a browser would run if it ever took the file for a page (a "PDF" that is HTML).
_MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|iframe|svg|object|embed|meta)\b", re.IGNORECASE)
_HEAD = 1024


def check_zip_sizes(archive, name):
    """Refuse (ValidationError) a zip that unpacks to too much or holds too many members; reads no member."""
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ValidationError(f"文件“{name}”中有 {len(infos)} 个压缩成员，超过 {MAX_ZIP_MEMBERS} 个的上限，不能接收。")
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise ValidationError(
            f"文件“{name}”解压后有 {unpacked / (1024 * 1024):.0f} MB，超过 {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB"
            "的上限（可能是“压缩炸弹”），不能接收。"
        )


def _zip_with(main_part):
    """An Office Open XML file: a zip with its content types and its main part (word/document.xml…)."""

    def check(f, head, name):
        if not head.startswith(b"PK\x03\x04"):
            return False
        f.seek(0)
        try:
            with zipfile.ZipFile(f) as z:
                check_zip_sizes(z, name)
                names = set(z.namelist())
        except zipfile.BadZipFile:
            return False
        return "[Content_Types].xml" in names and main_part in names

    return check


def _no_markup(f):
    f.seek(0)
    return not _MARKUP.search(f.read(_HEAD))


def _pdf(f, head, name):
    """%PDF- first, %%EOF within the last KB (where every reader looks for it), no web page, no active content."""
    if not head.startswith(b"%PDF-") or not _no_markup(f):
        return False
    f.seek(0, os.SEEK_END)
    size = f.tell()
    f.seek(max(0, size - _HEAD))
    if b"%%EOF" not in f.read():
        return False
    f.seek(0)
    _refuse_active_pdf(f.read(), name)
    return True


# What a PDF reader would run or unpack: scripts (an /OpenAction or /AA is a script through /JS), launch
# actions, embedded files. A name may be written with #xx escapes (/J#61vaScript), and dictionaries may sit
# in compressed object streams: both are read.
_PDF_ACTIVE = {
    b"JavaScript": "脚本（JavaScript）",
    b"JS": "脚本（JavaScript）",
    b"Launch": "启动外部程序的动作（Launch）",
    b"EmbeddedFile": "嵌入的文件（EmbeddedFile）",
    b"EmbeddedFiles": "嵌入的文件（EmbeddedFile）",
    b"RichMedia": "嵌入的多媒体（RichMedia）",
}
_PDF_NAME = re.compile(rb"/([A-Za-z0-9#]+)")
_PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)


def _pdf_active(data):
    for found in _PDF_NAME.finditer(data):
        label = _PDF_ACTIVE.get(_PDF_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), found.group(1)))
        if label:
            return label
    return None


def _inflated(stream, budget):
    """A Flate stream's bytes, at most `budget` of them (a stream that is not Flate gives b"")."""
    try:
        return zlib.decompressobj().decompress(stream, budget)
    except zlib.error:
        return b""


def _refuse_active_pdf(data, name):
    label = _pdf_active(data)
    budget = MAX_UNCOMPRESSED_BYTES
    for stream in _PDF_STREAM.finditer(data):
        if label or budget <= 0:
            break
        inflated = _inflated(stream.group(1), budget)
        budget -= len(inflated)
        label = _pdf_active(inflated)
    if label:
        raise ValidationError(f"文件“{name}”中含有{label}，不能接收；请打印或另存为不含脚本和附件的 PDF 后重新上传。")


def _png(f, head, name):
    """The signature, then a well-formed IHDR chunk (its CRC), the IEND chunk at the end, no web page in its text."""
    f.seek(0)
    start = f.read(33)
    if not start.startswith(_PNG) or start[8:16] != b"\x00\x00\x00\rIHDR":
        return False
    if zlib.crc32(start[12:29]) != int.from_bytes(start[29:33], "big"):
        return False
    f.seek(0, os.SEEK_END)
    f.seek(max(0, f.tell() - 12))
    if f.read() != _PNG_END:
        return False
    _refuse_markup_in_metadata(_png_texts(f), name)
    return True


def _png_texts(f):
    """Every ancillary chunk's bytes (tEXt, zTXt, iTXt, eXIf…), compressed text inflated; image data skipped."""
    f.seek(8)
    budget = MAX_UNCOMPRESSED_BYTES
    while True:
        header = f.read(8)
        if len(header) < 8:
            return
        length, kind = int.from_bytes(header[:4], "big"), header[4:]
        if kind in (b"IDAT", b"IEND") or not kind[:1].islower():
            f.seek(length + 4, os.SEEK_CUR)  # critical chunks: pixels and palette, no text
            continue
        body = f.read(length)
        f.seek(4, os.SEEK_CUR)
        yield body
        compressed = {b"zTXt": 1, b"iTXt": 2}.get(kind)
        keyword_end = body.find(b"\x00")
        if compressed and keyword_end >= 0 and (kind == b"zTXt" or body[keyword_end + 1 : keyword_end + 2] == b"\x01"):
            packed = body[keyword_end + 1 + compressed :]
            if kind == b"iTXt":  # language and translated keyword, each ended by NUL
                parts = packed.split(b"\x00", 2)
                packed = parts[2] if len(parts) == 3 else b""
            inflated = _inflated(packed, max(budget, 0))
            budget -= len(inflated)
            yield inflated


def _refuse_markup_in_metadata(texts, name):
    for text in texts:
        if _MARKUP.search(text):
            raise ValidationError(
                f"文件“{name}”的图片说明文字（元数据）中含有网页代码，不能接收；请另存图片后重新上传。"
            )


def _jpeg(f, head, name):
    """SOI, then a marker segment (APPn, DQT, SOF, DHT, COM) whose length fits; no web page, metadata included."""
    f.seek(0)
    start = f.read(6)
    if len(start) < 6 or not start.startswith(b"\xff\xd8\xff"):
        return False
    marker, length = start[3], int.from_bytes(start[4:6], "big")
    f.seek(0, os.SEEK_END)
    size = f.tell()
    if not (
        (0xE0 <= marker <= 0xEF or marker in (0xDB, 0xC0, 0xC2, 0xC4, 0xFE))
        and 2 <= length <= size - 4
        and _no_markup(f)
    ):
        return False
    _refuse_markup_in_metadata(_jpeg_segments(f), name)
    return True


def _jpeg_segments(f):
    """The bodies of the segments before the image data (EXIF, XMP, comments…)."""
    f.seek(2)
    while True:
        header = f.read(4)
        if len(header) < 4 or header[0] != 0xFF or header[1] == 0xDA:  # start of scan: pixels follow
            return
        length = int.from_bytes(header[2:4], "big")
        yield f.read(max(length - 2, 0))


def _ole(f, head, name):
    return head.startswith(_OLE) and _no_markup(f)


KINDS = {
    ".pdf": ("PDF", _pdf),
    ".png": ("PNG 图片", _png),
    ".jpg": ("JPEG 图片", _jpeg),
    ".jpeg": ("JPEG 图片", _jpeg),
    ".docx": ("Word 文档", _zip_with("word/document.xml")),
    ".xlsx": ("Excel 工作簿", _zip_with("xl/workbook.xml")),
    ".pptx": ("PowerPoint 演示文稿", _zip_with("ppt/presentation.xml")),
    ".doc": ("Word 97-2003 文档", _ole),
    ".xls": ("Excel 97-2003 工作簿", _ole),
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
    ok = check(uploaded, head, name)
    uploaded.seek(0)
    if not ok:
        raise ValidationError(f"文件“{name}”的内容不是{label}，请检查后重新上传。")
    return label


def protected_file_response(field_file, download_name=None, *, audit=None, obj=None):
    """Send a stored file as a download; call only after the view has checked who may see it.
    audit, obj: the request and the thing the file belongs to, for the audit log (see `download_response`)."""
    name = download_name or os.path.basename(field_file.name)
    return download_response(field_file.open("rb"), name, audit=audit, obj=obj)
