"""Uploads hiding active content where the first bytes do not show it: a web page in an image's text chunks
or metadata, a PDF that runs a script, launches a program or carries a file. Each is refused in Chinese."""

import io
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from core.uploads import validate_upload

SCRIPT = "<script>alert(document.cookie)</script>"


def _png(**text):
    info = PngInfo()
    for kind, value in text.items():
        if kind == "tEXt":
            info.add_text("Comment", value)
        elif kind == "zTXt":
            info.add_text("Comment", value, zip=True)
        elif kind == "iTXt":
            info.add_itxt("Description", value, lang="zh", tkey="说明", zip=False)
        elif kind == "iTXt_zip":
            info.add_itxt("Description", value, lang="zh", tkey="说明", zip=True)
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _jpeg_with_comment(comment):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG", comment=comment)
    return out.getvalue()


def _refusal(name, content):
    with pytest.raises(ValidationError) as refused:
        validate_upload(SimpleUploadedFile(name, content))
    return " ".join(refused.value.messages)


@pytest.mark.parametrize("kind", ["tEXt", "zTXt", "iTXt", "iTXt_zip"])
def test_a_png_with_a_script_in_a_text_chunk_is_refused(kind):
    padded = "说明文字" * 300 + SCRIPT  # past the first kilobyte, where only the body was read
    message = _refusal("照片.png", _png(**{kind: padded}))
    assert "照片.png" in message and "元数据" in message and "网页代码" in message


def test_a_jpeg_with_a_script_in_its_comment_is_refused():
    message = _refusal("照片.jpg", _jpeg_with_comment(("x" * 2000 + SCRIPT).encode()))
    assert "元数据" in message


def test_images_with_plain_text_chunks_pass():
    validate_upload(SimpleUploadedFile("照片.png", _png(tEXt="2019年 现场照片", iTXt_zip="市信用办 <2019>")))
    validate_upload(SimpleUploadedFile("照片.jpg", _jpeg_with_comment("现场照片".encode())))


def _pdf(catalog):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    for key, value in catalog.items():
        writer.root_object[NameObject(key)] = value
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _action(kind, **entries):
    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject(key)] = value
    return action


def test_a_pdf_with_a_javascript_open_action_is_refused():
    content = _pdf({"/OpenAction": _action("/JavaScript", **{"/JS": TextStringObject("app.alert(1)")})})
    message = _refusal("证明.pdf", content)
    assert "脚本（JavaScript）" in message and "不能接收" in message


def test_a_pdf_launching_a_program_is_refused():
    content = _pdf({"/OpenAction": _action("/Launch", **{"/F": TextStringObject("cmd.exe")})})
    assert "启动外部程序" in _refusal("证明.pdf", content)


def test_a_pdf_with_an_embedded_file_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment("payload.exe", b"MZ" + b"\0" * 64)
    out = io.BytesIO()
    writer.write(out)
    assert "嵌入的文件" in _refusal("证明.pdf", out.getvalue())


def test_a_script_name_written_with_escapes_or_compressed_is_found():
    escaped = b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/J#61vaScript/J#53(app.alert(1))>>>>endobj\n%%EOF\n"
    assert "脚本" in _refusal("证明.pdf", escaped)
    hidden = zlib.compress(b"<</S/JavaScript/JS(app.alert(1))>>")
    compressed = (
        b"%PDF-1.5\n1 0 obj<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length "
        + str(len(hidden)).encode()
        + b">>stream\n"
        + hidden
        + b"\nendstream\nendobj\n%%EOF\n"
    )
    assert "脚本" in _refusal("证明.pdf", compressed)


def test_an_ordinary_pdf_with_an_open_action_to_a_page_passes():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_blank_page(width=200, height=200)
    writer.open_destination = writer.pages[1]  # /OpenAction [page /Fit]: where to open, no script
    out = io.BytesIO()
    writer.write(out)
    validate_upload(SimpleUploadedFile("证明.pdf", out.getvalue()))
