"""The API's one body parser: JSON, at most MAX_DEPTH levels deep, every refusal a Chinese 400.

Python's json module recurses once per level, so a body of 10,000 nested brackets exhausted the stack
(a 500); the depth is counted on the text before anything is parsed. Its error messages ("Expecting ','
delimiter"), an empty body and bytes that are not UTF-8 are said in Chinese, with the line and column.
"""

import codecs
import json
import re

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings

MAX_DEPTH = 32

# A JSON string (with its escapes): brackets inside one do not nest anything.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")

# The JSON decoder's messages (json/decoder.py, json/scanner.py) in the words of the API.
_REASONS = (
    ("Expecting value", "此处应有一个值（文本、数字、列表、对象、true、false 或 null）"),
    ("Expecting property name enclosed in double quotes", "此处应有用英文双引号括起的字段名（最后一项之后不能有逗号）"),
    ("Expecting ',' delimiter", "此处缺少英文逗号"),
    ("Expecting ':' delimiter", "此处缺少英文冒号"),
    ("Extra data", "JSON 内容结束之后还有多余的字符"),
    ("Unterminated string", "文本缺少结尾的英文双引号"),
    ("Invalid control character", "文本中有未转义的控制字符"),
    ("Invalid \\uXXXX escape", "文本中有无效的 \\u 转义"),
    ("Invalid \\escape", "文本中有无效的反斜杠转义"),
)


def _depth(text):
    """The deepest nesting of arrays and objects in a JSON text, strings left out."""
    deepest = level = 0
    for bracket in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        level += 1 if bracket in "[{" else -1
        deepest = max(deepest, level)
    return deepest


def _refuse_constant(name):
    raise ParseError(f"请求内容不是标准的 JSON：不接受 {name}，请改为数字或 null。")


class DepthLimitedJSONParser(JSONParser):
    """DEFAULT_PARSER_CLASSES: JSON only, at most MAX_DEPTH levels of arrays and objects."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        raw = stream.read() if stream is not None else b""
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"请求内容不是有效的 {encoding.upper()} 编码的文本，请以 UTF-8 编码发送 JSON。") from exc
        if not text.strip():
            raise ParseError("请求内容是空的：接口需要 JSON 格式的内容（没有要填的字段时请发送 {}）。")
        if _depth(text) > MAX_DEPTH:
            raise ParseError(f"请求内容的 JSON 嵌套超过 {MAX_DEPTH} 层，不能接收。")
        try:
            return json.loads(text, parse_constant=_refuse_constant if api_settings.STRICT_JSON else None)
        except json.JSONDecodeError as exc:
            reason = next((words for english, words in _REASONS if exc.msg.startswith(english)), "格式有误")
            raise ParseError(f"请求内容不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{reason}。") from exc
        except RecursionError as exc:  # never reached below MAX_DEPTH; kept so no body can be a 500
            raise ParseError(f"请求内容的 JSON 嵌套超过 {MAX_DEPTH} 层，不能接收。") from exc
