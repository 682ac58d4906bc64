"""What a field of the API accepts, said in words: text without control characters, types named as JSON's.

Every text field a client writes is a `TextField` (serializers declare it, `PortalModelSerializer` maps model
text columns to it): a NUL, BEL, ESC or any other control character (tab and line breaks aside) is refused
by field, where DRF called a NUL "空字符串" and stored the others. DRF's messages that name a Python type
("得到的是 list") are rewritten by `in_words` for the error handler (core.api.base) with the JSON name (列表).
"""

import re

from django.db import models
from rest_framework import serializers
from rest_framework.fields import ProhibitNullCharactersValidator

# C0 controls but tab, line feed and carriage return; DEL; C1 controls.
_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
CONTROL = re.compile(f"[{_CONTROLS}]")
# The same rule in the OpenAPI schema of every TextField (core/api/schema.py): a client sees it before sending.
NO_CONTROL_PATTERN = f"^[^{_CONTROLS}]*$"
CONTROL_MESSAGE = "不能包含控制字符（如 NUL、BEL、ESC），请删除后重新提交。"

_WORDS = {
    "list": "列表",
    "tuple": "列表",
    "dict": "对象",
    "str": "文本",
    "int": "数字",
    "float": "数字",
    "Decimal": "数字",
    "bool": "真假值（true/false）",
    "NoneType": "空值（null）",
}


def type_in_words(value_or_name):
    """How the API names a JSON value's type: 列表, 对象, 文本, 数字…"""
    name = value_or_name if isinstance(value_or_name, str) else type(value_or_name).__name__
    return _WORDS.get(name, "不支持的类型")


def refuse_control_characters(value):
    """The validator of every text field of the API."""
    if isinstance(value, str) and CONTROL.search(value):
        raise serializers.ValidationError(CONTROL_MESSAGE, code="control_characters")


class TextField(serializers.CharField):
    """serializers.CharField for text a client writes: no control characters; another type is named in words."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # DRF's own NUL check says "不允许是用空字符串" (a mistranslation); ours names the control character.
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]
        self.validators.append(refuse_control_characters)

    def run_validation(self, data=serializers.empty):
        # Before DRF's blank check: "\x00" is refused for what it holds, not taken for an empty value.
        refuse_control_characters(data)
        return super().run_validation(data)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            raise serializers.ValidationError(f"应为文本，收到的是{type_in_words(data)}。", code="invalid")
        return super().to_internal_value(data)


class PortalModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose text columns are `TextField`s."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: TextField,
        models.TextField: TextField,
        models.SlugField: TextField,
    }


_OBJECT, _LIST = "对象（{…}）", "列表（[…]）"


def _typed_messages():
    """DRF's messages that name a Python type: (message template, its placeholder, what was expected)."""
    return (
        (serializers.Serializer.default_error_messages["invalid"], "datatype", _OBJECT),
        (serializers.ListSerializer.default_error_messages["not_a_list"], "input_type", _LIST),
        (serializers.ListField.default_error_messages["not_a_list"], "input_type", _LIST),
        (serializers.DictField.default_error_messages["not_a_dict"], "input_type", _OBJECT),
    )


def in_words(message):
    """DRF's "期待为字典类型，得到的是 list" as "应为对象（{…}），收到的是列表。"; other messages unchanged."""
    for template, placeholder, expected in _typed_messages():
        pattern = re.escape(str(template)).replace(re.escape("{" + placeholder + "}"), r"(\w+)")
        found = re.fullmatch(pattern, str(message))
        if found:
            return f"应为{expected}，收到的是{type_in_words(found.group(1))}。"
    return message


class WholeBody:
    """A serializer mixin for a body validated whole even by a PATCH (a cell's value with the version read).

    drf-spectacular documents every PATCH body as partial ("Patched…", no field required) because DRF's
    partial_update validates it so; a view that does not says it here, and the schema keeps the fields required.
    """

    partial = property(lambda self: False, lambda self, value: None)
