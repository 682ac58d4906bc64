"""Text typed or pasted into the portal (bulletin articles, cases, reasons), reduced to plain paragraphs.

Everything the portal stores as text is plain: one paragraph per line, no markup. Staff and units
often paste from Word or a web page, so block ends become line breaks and the markup is stripped
with nh3 (scripts and styles go with their content); templates escape what remains. Forms and
services that must refuse active content rather than strip it ask `contains_script` first.
"""

import html
import re

import nh3

# Tags that end a paragraph when rich text (a web page, a Word paste) is flattened.
_BREAKS = re.compile(r"<\s*(?:br\s*/?|/\s*(?:p|div|li|h[1-6]|tr|blockquote))\s*>", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Runs of spaces, tabs and no-break spaces fold into one space; a full-width space (　) is text, kept.
_SPACES = re.compile(r"[ \t\u00a0]+")
# Anything that would run in a browser if it were ever rendered unescaped.
_SCRIPT = re.compile(
    r"<\s*/?\s*(?:script|iframe|object|embed|style|svg|math|link|meta|base|form)\b"
    r"|<[^>]*\son[a-z]+\s*="
    r"|(?:java|vb)script\s*:",
    re.IGNORECASE,
)


def contains_script(text):
    """True when the text holds a script or active HTML, as written or once its entities are decoded."""
    if not text:
        return False
    return bool(_SCRIPT.search(text) or _SCRIPT.search(html.unescape(text)))


def plain_paragraphs(text):
    """The text as plain paragraphs, one per line: tags stripped (nh3), entities decoded, blank lines dropped.

    The result is stored as plain text and escaped when rendered, so decoding `&lt;` back to `<` is safe.
    """
    text = str(text or "").replace("\r\n", "\n").replace("\r", "\n")
    if "<" in text or "&" in text:
        text = html.unescape(nh3.clean(_BREAKS.sub("\n", text), tags=set()))
    lines = (_SPACES.sub(" ", line).strip() for line in _CONTROL.sub("", text).split("\n"))
    return "\n".join(line for line in lines if line)


def plain_line(text):
    """A one-line field (titles, sources, subjects): markup stripped, line breaks folded into spaces."""
    return _SPACES.sub(" ", plain_paragraphs(text).replace("\n", " ")).strip()


def labelled_sentence(label, text):
    """“说明：2019年度年终考核。”: a remark after its label with exactly one full stop ("" without a remark)."""
    text = plain_line(text or "").rstrip("。.；;，, ")
    return f"{label}：{text}。" if text else ""
