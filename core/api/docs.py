"""/api/v1/docs/: the API's reference as a plain Chinese page, rendered here from the OpenAPI schema.

Swagger UI and Redoc draw their own English chrome ("Responses", "Try it out", "Request samples") and
cannot be translated; this page shows the same schema (drf-spectacular's, the one /api/v1/schema/ serves)
with Chinese labels, no script and no style of its own. Code — paths, field names, values — stays code.
"""

import re

from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from drf_spectacular.generators import SchemaGenerator
from rest_framework.request import Request

from core import access

METHODS = {"get": "读取", "post": "提交", "put": "替换", "patch": "修改", "delete": "删除"}
WHERE = {"path": "路径", "query": "查询参数", "header": "请求头"}
TYPES = {"string": "文本", "integer": "整数", "number": "数字", "boolean": "是/否", "array": "列表", "object": "对象"}
FORMATS = {"date": "日期", "date-time": "日期时间", "uri": "网址", "decimal": "小数", "binary": "文件"}
STATUS = {
    "200": "成功",
    "201": "已创建",
    "204": "成功，无内容",
    "400": "数据或查询参数有误",
    "401": "未登录或令牌无效",
    "403": "无权进行此操作",
    "404": "不存在，或不在本账号可见范围内",
    "409": "数据当前的状态不允许（如该列不接受这个值、步骤顺序不对），或已被他人修改",
    "429": "请求过于频繁",
}
CODE = re.compile(r"`([^`]+)`")
# A Latin run in the schema's Chinese prose is an identifier (submit=true, cases.services.create_case).
IDENTIFIER = re.compile(r"(?<![\w<])([A-Za-z_][\w.=/:-]*)(?![\w>])")


def _text(value):
    """Schema prose as HTML: `code` as <code>, "* " lines as a list, paragraphs kept."""
    html = []
    items = []
    for line in (value or "").splitlines():
        line = line.strip()
        parts = CODE.split(str(escape(line)))
        # CODE.split: odd parts were inside backticks; the rest is prose, whose identifiers are code too.
        marked = "".join(
            f"<code>{part}</code>" if i % 2 else IDENTIFIER.sub(r"<code>\1</code>", part)
            for i, part in enumerate(parts)
        )
        if line.startswith("* "):
            items.append(f"<li>{marked[2:]}</li>")
            continue
        if items:
            html.append(f"<ul>{''.join(items)}</ul>")
            items = []
        if line:
            html.append(f"<p>{marked}</p>")
    if items:
        html.append(f"<ul>{''.join(items)}</ul>")
    return mark_safe("".join(html))


def _resolve(schema, components):
    ref = schema.get("$ref")
    if ref:
        return _resolve(components.get(ref.rsplit("/", 1)[-1], {}), components)
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return {**_resolve(schema["allOf"][0], components), **{k: v for k, v in schema.items() if k != "allOf"}}
    return schema


def _type(schema, components):
    schema = _resolve(schema, components)
    if "enum" in schema:
        return "可选值之一"
    if "oneOf" in schema or "anyOf" in schema:
        return "多种之一"
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    label = FORMATS.get(schema.get("format")) or TYPES.get(kind, "对象")
    if kind == "array":
        label = f"{_type(schema.get('items', {}), components)}的列表"
    return label


def _fields(schema, components):
    schema = _resolve(schema, components)
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        prop_resolved = _resolve(prop, components)
        description = prop.get("description") or prop_resolved.get("description") or prop_resolved.get("title", "")
        rows.append(
            {
                "name": name,
                "type": _type(prop, components),
                "required": name in required,
                "read_only": prop.get("readOnly") or prop_resolved.get("readOnly", False),
                "description": _text(description),
            }
        )
    return rows


def _body_schema(content):
    for media in ("application/json", "multipart/form-data"):
        if media in content:
            return content[media].get("schema", {})
    return next(iter(content.values()), {}).get("schema", {}) if content else {}


def _sections(schema):
    components = schema.get("components", {}).get("schemas", {})
    groups = {}
    for path, operations in schema.get("paths", {}).items():
        for method, op in operations.items():
            tag = (op.get("tags") or ["其他"])[0]
            group = groups.setdefault(tag, {"title": "", "operations": []})
            if not group["title"] and op.get("description"):
                group["title"] = re.split(r"[。：]", op["description"], maxsplit=1)[0]
            body = op.get("requestBody", {}).get("content", {})
            responses = []
            for status, response in op.get("responses", {}).items():
                content = response.get("content", {})
                description = response.get("description") or STATUS.get(status, "")
                responses.append(
                    {
                        "status": status,
                        "description": description,
                        "fields": _fields(_body_schema(content), components) if status.startswith("2") else [],
                    }
                )
            group["operations"].append(
                {
                    "method": method.upper(),
                    "verb": METHODS.get(method, method),
                    "path": path,
                    "summary": _text(op.get("summary", "")),
                    "description": _text(op.get("description", "")),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": WHERE.get(p.get("in"), p.get("in")),
                            "required": p.get("required", False),
                            "type": _type(p.get("schema", {}), components),
                            "description": _text(p.get("description") or p.get("schema", {}).get("title", "")),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": _fields(_body_schema(body), components) if body else [],
                    "responses": responses,
                }
            )
    return [{"tag": tag, **group} for tag, group in groups.items()]


@access.require()
def docs(request):
    # The generator wants DRF's request (it copies user and auth into the mock requests it builds).
    api_request = Request(request)
    api_request.user, api_request.auth = request.user, None
    schema = SchemaGenerator().get_schema(request=api_request, public=True)
    info = schema.get("info", {})
    context = {"title": info.get("title", ""), "description": _text(info.get("description", ""))}
    return render(request, "api_docs.html", {**context, "sections": _sections(schema)})
